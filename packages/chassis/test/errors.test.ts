import { AppError, errors } from '../src/errors';

describe('AppError', () => {
  it('when a client error (4xx) is made, then it carries no stack frames and leaves the stack limit as it was', () => {
    const before = Error.stackTraceLimit;
    const e = errors.conflict('sold out');
    expect(e.status).toBe(409);
    expect(e.stack?.split('\n').filter((l) => l.trim().startsWith('at '))).toEqual([]);
    expect(Error.stackTraceLimit).toBe(before);
  });

  it('when a server error (5xx) is made, then its stack says where', () => {
    const e = new AppError('UNAVAILABLE', 'store down');
    expect(e.status).toBe(503);
    expect(e.stack).toContain('errors.test.ts');
  });
});

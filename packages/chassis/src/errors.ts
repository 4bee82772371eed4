import { ERROR_STATUS, type ErrorCode } from '@stampede/contracts/api';

/**
 * Every failure a client can see is an AppError with a stable code. The code decides the HTTP
 * status in one table (ERROR_STATUS, with the error body, is part of the public API's contract),
 * so routes never pick status numbers themselves.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    // A client's mistake or a sold-out seat is an answer, not a fault: its stack says nothing and
    // capturing one costs more than the rest of a hot-path reply, so only server errors (5xx) keep it.
    const status = ERROR_STATUS[code];
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'AppError';
    this.status = status;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const errors = {
  invalidInput: (message: string, details?: unknown) => new AppError('INVALID_INPUT', message, details),
  authRequired: (message = 'Authentication required') => new AppError('AUTH_REQUIRED', message),
  forbidden: (message = 'You are not allowed to do this') => new AppError('FORBIDDEN', message),
  notFound: (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`),
  conflict: (message: string) => new AppError('CONFLICT', message),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError('RATE_LIMIT_EXCEEDED', 'Too many requests, try again later', undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    }),
  unavailable: (message = 'Service temporarily unavailable') => new AppError('UNAVAILABLE', message),
};

import { RoundRobin } from '../src/domain/balancer';
import { forwardHeaders, retryAnswer, retryFailure, returnedHeaders } from '../src/domain/forwarding';
import { limitKey } from '../src/domain/limits';

describe('what passes through the gateway', () => {
  it('when a client sends identity or unknown headers, then only the allow-listed ones are forwarded', () => {
    const out = forwardHeaders({
      authorization: 'Bearer t',
      'content-type': 'application/json',
      'idempotency-key': 'k1',
      'x-user-id': 'admin',
      'x-roles': 'ADMIN',
      cookie: 'a=b',
      'x-forwarded-for': '10.0.0.1',
      'accept-language': 'ko',
    });
    expect(out).toEqual({ authorization: 'Bearer t', 'content-type': 'application/json', 'idempotency-key': 'k1', 'accept-language': 'ko' });
  });

  it('when a service answers with internal headers, then only the allow-listed ones reach the client, lists joined', () => {
    expect(returnedHeaders({ etag: '"v1"', 'set-cookie': ['a=b'], 'x-internal-secret': 's', 'cache-control': ['no-store', 'private'], location: undefined })).toEqual({
      etag: '"v1"',
      'cache-control': 'no-store, private',
    });
  });
});

describe('retrying on another replica', () => {
  it('when a GET fails or gets 502/503, then it may go elsewhere once; other methods only when nothing was sent', () => {
    expect(retryAnswer('GET', 503)).toBe(true);
    expect(retryAnswer('GET', 502)).toBe(true);
    expect(retryAnswer('GET', 500)).toBe(false);
    expect(retryAnswer('POST', 503)).toBe(false);
    expect(retryFailure('GET', 'UND_ERR_HEADERS_TIMEOUT')).toBe(true);
    expect(retryFailure('POST', 'ECONNREFUSED')).toBe(true);
    expect(retryFailure('POST', 'UND_ERR_CONNECT_TIMEOUT')).toBe(true);
    expect(retryFailure('POST', 'UND_ERR_HEADERS_TIMEOUT')).toBe(false);
    expect(retryFailure('DELETE', 'ECONNRESET')).toBe(false);
  });

  it('when replicas are taken in turn, then each gets its share and the one that just failed is skipped', () => {
    const rr = new RoundRobin(['a', 'b', 'c']);
    expect([rr.next(), rr.next(), rr.next(), rr.next()]).toEqual(['a', 'b', 'c', 'a']);
    for (let i = 0; i < 6; i++) expect(rr.next('b')).not.toBe('b');
    expect(new RoundRobin(['only']).next('only')).toBe('only');
    expect(() => new RoundRobin([])).toThrow(/at least one URL/);
  });
});

describe('rate-limit keys', () => {
  it('when a limit is per user and the user is known, then the user is counted; otherwise the address', () => {
    expect(limitKey('paymentConfirm', { userId: 'u1', ip: '1.2.3.4' })).toBe('u:u1');
    expect(limitKey('paymentConfirm', { ip: '1.2.3.4' })).toBe('ip:1.2.3.4');
    expect(limitKey('login', { userId: 'u1', ip: '1.2.3.4' })).toBe('ip:1.2.3.4');
    expect(limitKey('publicDefault', {})).toBe('ip:unknown');
  });
});

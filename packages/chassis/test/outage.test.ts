import { fromStoreOutage } from '../src/http/outage';

describe('store outages are retryable 503s, not 500s', () => {
  it.each([
    ['PostgreSQL refusing connections', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['PostgreSQL shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['PostgreSQL starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['the pool waiting on a database that is gone (a query)', Object.assign(new Error('timeout exceeded when trying to connect'), { name: 'DriverException' })],
    ['the pool waiting on a database that is gone (a transaction begins)', new Error('timeout exceeded when trying to connect')],
    ['a connection that timed out while connecting', new Error('Connection terminated due to connection timeout')],
    ['Redis Cluster mid-failover', new Error('CLUSTERDOWN The cluster is down')],
    ['ioredis giving up on a node', Object.assign(new Error('Reached the max retries per request limit (which is 3).'), { name: 'MaxRetriesPerRequestError' })],
    ['a closed Redis connection', new Error('Connection is closed.')],
  ])('when the error is %s, then the answer is 503 UNAVAILABLE with Retry-After', (_what, err) => {
    const e = fromStoreOutage(err);
    expect(e).toMatchObject({ status: 503, code: 'UNAVAILABLE', headers: { 'Retry-After': '1' } });
  });

  it.each([
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a constraint violation', Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })],
    ['not an error at all', 'boom'],
  ])('when the error is %s, then it is not mistaken for an outage', (_what, err) => {
    expect(fromStoreOutage(err)).toBeUndefined();
  });
});

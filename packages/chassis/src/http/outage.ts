import { AppError } from '../errors';

/** Socket-level failures: the store (or its proxy) is down or went away mid-request. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** PostgreSQL: class 08 (connection exception) and a server shutting down or starting up. */
const PG_OUTAGE = /^(08...|57P01|57P02|57P03)$/;
/**
 * ioredis during a failover or an outage, and the PostgreSQL pool waiting on a database that is
 * gone: pg-pool's acquire timeout (connectionTimeoutMillis) says "timeout exceeded when trying to
 * connect", as a plain Error when a transaction begins and wrapped in MikroORM's DriverException
 * (same message, no code) for a query; a connection cut or timed out says "Connection terminated".
 */
const OUTAGE_MESSAGES = [
  'Connection is closed',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'Too many Cluster redirections',
  'Failed to refresh slots cache',
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'the database system is',
];
const OUTAGE_NAMES = new Set(['ClusterAllFailedError', 'MaxRetriesPerRequestError']);

/**
 * A request that failed because Redis or PostgreSQL is unreachable (a failover, a restart) is a
 * 503 the client may retry, not a 500: nothing about the request was wrong, and the error body
 * says when to come back. Anything else stays an internal error.
 */
export function fromStoreOutage(err: unknown): AppError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const outage =
    NETWORK_CODES.has(code) ||
    PG_OUTAGE.test(code) ||
    (typeof e.name === 'string' && OUTAGE_NAMES.has(e.name)) ||
    OUTAGE_MESSAGES.some((m) => message.includes(m));
  return outage ? new AppError('UNAVAILABLE', 'A data store is briefly unavailable; retry shortly', undefined, { 'Retry-After': '1' }) : undefined;
}

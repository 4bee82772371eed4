import { identityEnv } from './identity';
import type { StackContext } from '../services';

/** The entry service's environment on the local stack: auth's keys and event's sale snapshots. */
export const entryEnv = (ctx: StackContext): Record<string, string> => ({
  REDIS_NODES: ctx.redisNodes,
  ...identityEnv,
  AUTH_JWKS_URL: `${ctx.urlsOf('auth')[0]}/.well-known/jwks.json`,
  EVENT_URL: ctx.urlsOf('event')[0] ?? 'http://127.0.0.1:8082',
});

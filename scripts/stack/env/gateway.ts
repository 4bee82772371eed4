import { identityEnv } from './identity';
import { randomBytes } from 'node:crypto';
import type { StackContext } from '../services';

/** The gateway's environment on the local stack: every replica of every upstream, balanced. */
export const gatewayEnv = (ctx: StackContext): Record<string, string> => ({
  REDIS_NODES: ctx.redisNodes,
  ...identityEnv,
  AUTH_JWKS_URL: `${ctx.urlsOf('auth')[0]}/.well-known/jwks.json`,
  UPSTREAM_AUTH: ctx.urlsOf('auth').join(','),
  UPSTREAM_EVENT: ctx.urlsOf('event').join(','),
  UPSTREAM_ENTRY: ctx.urlsOf('entry').join(','),
  UPSTREAM_PAYMENT: ctx.urlsOf('payment').join(','),
  CSRF_SECRET: randomBytes(32).toString('base64url'),
  CORS_ORIGINS: 'http://localhost:3000',
  // Plain HTTP on loopback: browsers drop Secure cookies there.
  COOKIE_SECURE: 'false',
  // Nothing in front of the gateway locally: the socket's address is the client's.
  TRUST_PROXY_HOPS: '0',
  SANDBOX_ROUTES: 'true',
});

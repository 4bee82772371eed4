import type { Cluster } from 'ioredis';
import type { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { IdentityKeys } from '@stampede/contracts';
import type { Verifier } from '@stampede/chassis/auth';
import type { Upstreams } from './clients/upstreams';
import type { OpenApiDocument } from './domain/openapi';
import type { GatewayMetrics } from './metrics';
import type { Limiters } from './store/rate-limits';

/** Everything the gateway's routes and use cases work with, built once in app.ts. */
export interface Deps {
  verifier: Verifier;
  /** The session check and the user's rate limits (one script per request). */
  redis: Cluster;
  rateLimitNamespace: string;
  /** Clients over a user limit, until their window ends (limit:key → epoch ms). */
  blocked: LRUCache<string, number>;
  /** The keys the gateway signs its identity header with. */
  identityKeys: IdentityKeys;
  upstreams: Upstreams;
  limiters: Limiters;
  metrics: GatewayMetrics;
  /** Origins allowed to call from a browser. */
  corsOrigins: ReadonlySet<string>;
  /** HMAC key of CSRF tokens. */
  csrfSecret: string;
  /** Whether cookies are marked Secure. */
  cookieSecure: boolean;
  /** Whether the sandbox PG's routes are mounted. */
  sandboxRoutes: boolean;
  /** The API document of the routes this gateway serves, built at start-up. */
  openapi: OpenApiDocument;
  logger: Logger;
}

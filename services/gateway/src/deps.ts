import type { Logger } from 'pino';
import type { Verifier } from '@stampede/chassis/auth';
import type { Upstreams } from './clients/upstreams';
import type { OpenApiDocument } from './domain/openapi';
import type { GatewayMetrics } from './metrics';
import type { Limiters } from './store/rate-limits';

/** Everything the gateway's routes and use cases work with, built once in app.ts. */
export interface Deps {
  verifier: Verifier;
  upstreams: Upstreams;
  limiters: Limiters;
  metrics: GatewayMetrics;
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

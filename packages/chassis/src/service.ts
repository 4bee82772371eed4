import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type Express } from 'express';
import { runChecks, type ReadinessCheck } from './health';
import { answerClientError } from './http/early-errors';
import { errorHandler, notFound, requireJsonBody } from './http/errors';
import { createFastRouter, type FastRoute } from './http/fast';
import { requestId, routeTemplate } from './http/request-context';
import type { Logger } from 'pino';
import { traceExemplar, type Metrics } from './metrics';

// Every request of every service carries its id (set first thing, see requestId).
declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Reservation tokens travel in some paths (DELETE /entries/:token): never in a log line. */
export const redactUrl = (url: string) => url.replace(/rt_[A-Za-z0-9_-]+/g, 'rt_[REDACTED]');

export interface ServiceDefinition {
  name: string;
  logger: Logger;
  metrics: Metrics;
  bodyLimit?: string;
  /** Dependencies that must answer for /readyz to be 200. */
  checks?: Record<string, ReadinessCheck>;
  /** Mounted before every route, probes included (e.g. security headers, a raw body parser). */
  before?: (app: Express) => void;
  routes: (app: Express) => void;
  /** Hot routes served from node:http without Express (see http/fast.ts); Express serves the rest. */
  fast?: readonly FastRoute[];
  /** Closed in order after the listener has drained (background loops first, clients last). */
  closers?: Array<() => Promise<unknown> | unknown>;
  shutdownDelayMs?: number;
  shutdownTimeoutMs?: number;
  /** Proxies in front of this service (default 1: the gateway, or the ingress for the gateway). */
  trustProxyHops?: number;
  /** Headers on every answer, computed once (the edge's security headers), errors Node raises before any route included. */
  staticHeaders?: Record<string, string>;
}

export interface RunningService {
  app: Express;
  /** Resolves with the bound port (0 picks an ephemeral one). */
  listen(port: number, host?: string): Promise<number>;
  /** Readiness off, in-flight requests finish, listener closes, closers run. Idempotent. */
  shutdown(reason?: string): Promise<void>;
  readonly draining: boolean;
  url(): string;
}

export function createService(def: ServiceDefinition): RunningService {
  const { logger, metrics } = def;
  const app = express();
  // The info-level access line holds no secret (tokens in paths are masked by redactUrl), so it
  // skips the redaction pass, which costs more than the rest of the line on the hot path.
  const accessLog = logger.child({}, { redact: { paths: [] } });
  let server: Server | undefined;
  let draining = false;
  let shutdownPromise: Promise<void> | undefined;

  app.disable('x-powered-by');
  // Only the hops we know of may set the client address: a client's own X-Forwarded-For entries
  // are ignored, so per-IP limits cannot be dodged by forging the header.
  app.set('trust proxy', def.trustProxyHops ?? 1);
  const staticHeaders = Object.entries(def.staticHeaders ?? {});
  if (staticHeaders.length) {
    app.use((_req, res, next) => {
      for (const [k, v] of staticHeaders) res.setHeader(k, v);
      next();
    });
  }
  app.use(requestId);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    // Captured now: the span is active while the request is dispatched, not in 'finish'.
    const exemplar = traceExemplar();
    res.on('finish', () => {
      const route = routeTemplate(req);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({
        labels: { method: req.method, route, status_code: res.statusCode },
        value: seconds,
        exemplarLabels: exemplar,
      });
      if (PROBE_ROUTES.has(route)) return;
      const ms = seconds * 1e3;
      const line = { requestId: req.id, method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms };
      if (logger.isLevelEnabled('debug')) {
        // Headers and body only at debug: redaction keeps secrets out even then.
        // A raw Buffer body (the gateway's) would escape redaction byte by byte: never logged.
        const body = Buffer.isBuffer(req.body) ? '[raw body]' : (req.body as unknown);
        logger.debug({ ...line, req: { headers: req.headers, body } }, 'request');
      } else {
        accessLog.info(line, 'request');
      }
    });
    next();
  });
  // While draining, a request that still arrives on a kept-alive connection (its client, the
  // gateway included, opened the connection before this replica left the Service's endpoints) is
  // served, and the connection closed after the answer, so the client's next request opens a
  // connection to another replica. Refusing it would turn every rolling update into errors.
  app.use((_req, res, next) => {
    if (draining) res.setHeader('Connection', 'close');
    next();
  });

  def.before?.(app);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const report = await runChecks(def.checks ?? {});
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use(requireJsonBody);
  app.use(
    express.json({
      limit: def.bodyLimit ?? '64kb',
      type: ['application/json', '+json'],
      // The gateway's identity header binds the body's digest: kept (a reference, not a copy).
      verify: (req, _res, buf) => void ((req as { rawBody?: Buffer }).rawBody = buf),
    }),
  );
  def.routes(app);
  const fast = def.fast?.length
    ? createFastRouter(def.fast, {
        logger,
        metrics,
        bodyLimit: def.bodyLimit ?? '64kb',
        trustProxyHops: def.trustProxyHops ?? 1,
        staticHeaders: def.staticHeaders ?? {},
        draining: () => draining,
        redactUrl,
      })
    : undefined;
  app.use(notFound(fast?.allowed));
  app.use(errorHandler(logger));

  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server?.listening) return resolve();
      const timer = setTimeout(() => {
        logger.warn('shutdown timeout reached; closing remaining connections');
        server?.closeAllConnections();
      }, def.shutdownTimeoutMs ?? 10_000);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });

  return {
    app,
    get draining() {
      return draining;
    },
    url() {
      const addr = server?.address() as AddressInfo | null;
      if (!addr) throw new Error(`${def.name} is not listening`);
      return `http://127.0.0.1:${addr.port}`;
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server = createServer((req, res) => {
          if (!fast?.(req, res)) app(req, res);
        });
        server.once('error', reject);
        server.listen(port, host, () => {
          const bound = (server?.address() as AddressInfo).port;
          logger.info({ port: bound }, `${def.name} listening`);
          resolve(bound);
        });
        server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket as Socket, def.staticHeaders ?? {}));
        // Slightly above typical load-balancer idle timeouts, so the server never closes first.
        server.keepAliveTimeout = 65_000;
        server.headersTimeout = 66_000;
      });
    },
    shutdown(reason = 'shutdown') {
      shutdownPromise ??= (async () => {
        draining = true;
        logger.info({ reason }, 'draining');
        if (def.shutdownDelayMs) await new Promise((r) => setTimeout(r, def.shutdownDelayMs));
        await closeServer();
        for (const close of def.closers ?? []) {
          try {
            await close();
          } catch (err) {
            logger.warn({ err }, 'error while closing a dependency');
          }
        }
        logger.info('stopped');
      })();
      return shutdownPromise;
    },
  };
}

/** For main.ts: SIGTERM/SIGINT drain the service and exit 0; a second signal forces exit. */
export function exitOnSignals(service: RunningService, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    signalled = true;
    service.shutdown(signal).then(
      () => {
        logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The service options every service reads from its base configuration. */
export function serviceOptionsFrom(config: {
  BODY_LIMIT: string;
  SHUTDOWN_DELAY_MS: number;
  SHUTDOWN_TIMEOUT_MS: number;
  TRUST_PROXY_HOPS: number;
}): Pick<ServiceDefinition, 'bodyLimit' | 'shutdownDelayMs' | 'shutdownTimeoutMs' | 'trustProxyHops'> {
  return {
    bodyLimit: config.BODY_LIMIT,
    shutdownDelayMs: config.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    trustProxyHops: config.TRUST_PROXY_HOPS,
  };
}

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { Logger } from 'pino';
import type { ErrorBody } from '@stampede/contracts/api';
import { AppError, isAppError } from '../errors';
import { traceExemplar, type Metrics } from '../metrics';
import { fromStoreOutage } from './outage';

/**
 * The hot routes of a service, served straight from node:http without Express: a route is found
 * in find-my-way's radix tree and runs as one function. Everything the Express path guarantees
 * holds here too, written once: request id, static (security) headers, JSON-only bodies under the
 * size limit, the uniform error body, the duration histogram, the access log line and the drain.
 * Every other path falls through to Express.
 */
export interface FastRequest {
  method: string;
  /** Path and query string as received. */
  url: string;
  params: Record<string, string | undefined>;
  headers: IncomingHttpHeaders;
  requestId: string;
  /** The client's address, counting the trusted proxy hops as Express does. */
  ip: string;
  /** The raw body (empty when none). */
  body: Buffer;
  /** The body as JSON; `undefined` when there is none. 400 INVALID_INPUT when it is not JSON. */
  json(): unknown;
  /** For answers a route streams itself (it then returns nothing). */
  raw: IncomingMessage;
  response: ServerResponse;
}

export interface FastAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON, or as is when a Buffer (with the headers' content-type). */
  body?: unknown;
}

export interface FastRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** find-my-way pattern, e.g. /sales/:id/entries; also the metrics' route label. */
  path: string;
  /** Whether the route reads a body at all (then it must be JSON). Default: POST, PUT and PATCH. */
  body?: 'json' | 'raw' | 'none';
  handle(req: FastRequest): Promise<FastAnswer | undefined> | FastAnswer | undefined;
}

export interface FastOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  trustProxyHops: number;
  staticHeaders: Record<string, string>;
  draining: () => boolean;
  redactUrl: (url: string) => string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i;

export function byteLimit(setting: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(setting);
  if (!m) throw new Error(`not a size: ${setting}`);
  return Number(m[1]) * ({ b: 1, kb: 1024, mb: 1024 * 1024 } as const)[(m[2] as string).toLowerCase() as 'b' | 'kb' | 'mb'];
}

/** The address `hops` trusted proxies away, as Express computes req.ip with `trust proxy` = hops. */
export function clientIp(req: IncomingMessage, hops: number): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (hops === 0) return socket;
  const forwarded = req.headers['x-forwarded-for'];
  const chain = [socket, ...(typeof forwarded === 'string' ? forwarded.split(',').map((s) => s.trim()).reverse() : [])];
  return chain[Math.min(hops, chain.length - 1)] as string;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > limit) return Promise.reject(new AppError('PAYLOAD_TOO_LARGE', 'Request body is larger than the limit'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new AppError('PAYLOAD_TOO_LARGE', 'Request body is larger than the limit'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', () => reject(new AppError('INVALID_INPUT', 'Request was aborted')));
  });
}

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';

export function createFastRouter(routes: readonly FastRoute[], o: FastOptions) {
  // A parameter of any length matches its route, so its own validation answers (400), as on Express.
  const router = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 8_192 });
  for (const route of routes) router.on(route.method, route.path, () => undefined, { route });
  const limit = byteLimit(o.bodyLimit);
  const staticHeaders = Object.entries(o.staticHeaders);
  const accessLog = o.logger.child({}, { redact: { paths: [] } });

  function send(res: ServerResponse, status: number, headers: Record<string, string> | undefined, body: unknown): void {
    if (headers) for (const k in headers) res.setHeader(k, headers[k] as string);
    if (body === undefined || status === 204 || status === 304) {
      res.statusCode = status;
      res.end();
      return;
    }
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    if (!Buffer.isBuffer(body)) res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', payload.length);
    res.statusCode = status;
    res.end(payload);
  }

  function sendError(res: ServerResponse, requestId: string, e: unknown, url: string): void {
    let err: AppError;
    if (isAppError(e)) err = e;
    else {
      const outage = fromStoreOutage(e);
      if (outage) o.logger.warn({ err: e, requestId }, 'store unavailable');
      else o.logger.error({ err: e, requestId, url: o.redactUrl(url) }, 'unhandled error');
      err = outage ?? new AppError('INTERNAL', 'Internal error');
    }
    if (err.status >= 500 && isAppError(e)) o.logger.warn({ requestId, code: err.code }, err.message);
    const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
    if (err.details !== undefined) body.error.details = err.details;
    if (res.headersSent) return void res.destroy();
    send(res, err.status, err.headers, body);
  }

  async function run(route: FastRoute, params: FastRequest['params'], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const exemplar = traceExemplar();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const url = req.url ?? '/';
    res.setHeader('x-request-id', requestId);
    for (const [k, v] of staticHeaders) res.setHeader(k, v);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      o.metrics.httpDuration.observe({ labels: { method: route.method, route: route.path, status_code: res.statusCode }, value: seconds, exemplarLabels: exemplar });
      accessLog.info({ requestId, method: route.method, url: o.redactUrl(url), status: res.statusCode, ms: seconds * 1e3 }, 'request');
    });
    try {
      // Served while draining, on a connection closed after the answer (see service.ts).
      if (o.draining()) res.setHeader('connection', 'close');
      const mode = route.body ?? (route.method === 'GET' || route.method === 'DELETE' ? 'none' : 'json');
      let body: Buffer = EMPTY;
      if (hasBody(req)) {
        if (mode === 'json' && !JSON_TYPE.test(req.headers['content-type'] ?? '')) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON (Content-Type: application/json)');
        }
        body = await readBody(req, limit);
      }
      let parsed: unknown;
      let parsedOnce = false;
      const answer = await route.handle({
        method: route.method,
        url,
        params,
        headers: req.headers,
        requestId,
        ip: clientIp(req, o.trustProxyHops),
        body,
        json() {
          if (!parsedOnce) {
            parsedOnce = true;
            if (body.length === 0) parsed = undefined;
            else {
              try {
                parsed = JSON.parse(body.toString('utf8'));
              } catch {
                throw new AppError('INVALID_INPUT', 'Request body is not valid JSON');
              }
              // As Express's strict JSON parser: a bare null, number or string is not a body.
              if (parsed === null || typeof parsed !== 'object') throw new AppError('INVALID_INPUT', 'Request body is not valid JSON');
            }
          }
          return parsed;
        },
        raw: req,
        response: res,
      });
      if (answer) send(res, answer.status, answer.headers, answer.body);
    } catch (e) {
      sendError(res, requestId, e, url);
    }
  }

  /** Serves the request when one of the hot routes matches it; false hands it to Express. */
  function serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const found = router.find(req.method as 'GET', q < 0 ? url : url.slice(0, q));
    if (!found) return false;
    void run((found.store as { route: FastRoute }).route, found.params, req, res);
    return true;
  }
  /** The methods hot routes serve at a path (with HEAD wherever GET is), for 405 answers. */
  serve.allowed = (path: string): string[] => {
    const methods = METHODS.filter((m) => router.find(m, path) !== null);
    return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
  };
  return serve;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const EMPTY = Buffer.alloc(0);

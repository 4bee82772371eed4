import type { IncomingHttpHeaders } from 'node:http';
import { API, type OperationContract } from '@stampede/contracts/api';
import { ROUTES } from './routes';

/** A public request as the gateway received it, to be forwarded to the service that owns it. */
export interface PublicRequest {
  method: string;
  /** Path and query string, exactly as received (the gateway's paths are the services' paths). */
  url: string;
  headers: IncomingHttpHeaders;
  /** Forwarded byte for byte (webhook signatures cover the raw body); undefined when empty. */
  body: Buffer | undefined;
  ip: string | undefined;
  requestId: string;
  /** The gateway's identity header for this request, sent instead of the access token. */
  identity?: string | undefined;
}

/** A service's answer as the client receives it. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The contracts of the routes forwarded to a service (not those the gateway answers itself). */
const forwarded: OperationContract[] = ROUTES.map((r) => (API as Record<string, OperationContract>)[`${r.method} ${r.path}`]).filter((c) => c !== undefined);

/**
 * Only these client headers reach a service: HTTP's own, and those an operation of the API
 * contract declares (Idempotency-Key, the webhook signature...), so a declared header always
 * arrives under the name the service reads. An allow-list, not a strip-list: identity headers a
 * client invents (x-user-id, x-roles, ...) can never pass, whatever their name.
 */
const FORWARDED = new Set([
  'accept',
  'accept-language',
  'authorization',
  'content-type',
  'if-none-match',
  'user-agent',
  'x-request-id',
  ...forwarded.flatMap((c) => Object.keys(c.headers ?? {}).map((h) => h.toLowerCase())),
]);

export function forwardHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || !FORWARDED.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Response headers a service may send back to the client: HTTP's own and those the contract's answers declare. */
const RETURNED = new Set([
  'content-type',
  'etag',
  'cache-control',
  'retry-after',
  'location',
  'x-request-id',
  ...forwarded.flatMap((c) => Object.values(c.success).flatMap((s) => Object.keys(s?.headers ?? {}).map((h) => h.toLowerCase()))),
]);

export function returnedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !RETURNED.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const RETRYABLE_STATUS = new Set([502, 503]);
/** The connection was never made, so the request never left: safe to send elsewhere, any method. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);
const idempotent = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Whether a failed first attempt may go to another replica. A GET that fails to connect or gets
 * 502/503 may; other methods only when the connection was refused (a dead replica), because
 * otherwise the first attempt may have taken effect.
 */
export const retryAnswer = (method: string, status: number) => idempotent(method) && RETRYABLE_STATUS.has(status);
export const retryFailure = (method: string, code: string) => idempotent(method) || NOT_SENT.has(code);

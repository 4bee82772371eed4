import type { IncomingHttpHeaders } from 'node:http';

/**
 * Only these client headers reach a service. An allow-list, not a strip-list: identity headers a
 * client invents (x-user-id, x-roles, ...) can never pass, whatever their name.
 */
const FORWARDED = new Set([
  'accept',
  'accept-language',
  'authorization',
  'content-type',
  'idempotency-key',
  'if-none-match',
  'user-agent',
  'x-request-id',
  'x-pg-signature',
  'x-pg-timestamp',
]);

export function forwardHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || !FORWARDED.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Response headers a service may send back to the client. */
const RETURNED = new Set(['content-type', 'etag', 'cache-control', 'retry-after', 'location', 'x-request-id', 'idempotency-replayed']);

export function returnedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !RETURNED.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

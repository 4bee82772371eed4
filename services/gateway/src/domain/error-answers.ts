import { ROLES } from '@stampede/contracts';
import { ERROR_MEANING, ERROR_STATUS, HEADERS, inputErrors, PLATFORM_ERRORS, type ErrorCode, type OperationContract } from '@stampede/contracts/api';
import { changesState } from './csrf';
import { COMPONENT, json } from './json-schema';
import type { DocumentedRoute, OperationObject, ResponseObject } from './openapi';

// The error answers of the API document: which codes an operation can answer, by status.

const RETRY_AFTER = (required: boolean) => ({
  [HEADERS.retryAfter]: { required, description: 'Seconds to wait before trying again.', schema: { type: 'string', pattern: '^[0-9]+$' } },
});

/** Headers the error answers of a status carry, whichever code. */
const ERROR_HEADERS: Partial<Record<number, ResponseObject['headers']>> = {
  405: { [HEADERS.allow]: { required: true, description: 'The methods this path serves.', schema: { type: 'string' } } },
  429: RETRY_AFTER(true),
  // A store outage says when to come back; an unavailable service or a shutdown does not.
  503: RETRY_AFTER(false),
};

/**
 * Error answers every operation shares (same codes, same headers), declared once under
 * components.responses; an operation whose codes for such a status differ gets its own.
 */
const SHARED_ERRORS: Record<string, { status: number; codes: ErrorCode[]; description: string }> = {
  MethodNotAllowed: { status: 405, codes: ['METHOD_NOT_ALLOWED'], description: 'The path is called with a method it does not serve (Allow lists those it does).' },
  PayloadTooLarge: { status: 413, codes: ['PAYLOAD_TOO_LARGE'], description: 'The body is larger than the limit.' },
  UnsupportedMediaType: { status: 415, codes: ['UNSUPPORTED_MEDIA_TYPE'], description: 'The body is not JSON (Content-Type: application/json).' },
  RateLimited: { status: 429, codes: ['RATE_LIMIT_EXCEEDED'], description: 'The rate limit of this operation is spent; retry after Retry-After seconds.' },
  Internal: { status: 500, codes: ['INTERNAL'], description: 'An unexpected failure; the requestId finds it in the logs.' },
  Unavailable: {
    status: 503,
    codes: ['UNAVAILABLE', 'UPSTREAM_UNAVAILABLE', 'SHUTTING_DOWN'],
    description: 'A store, the owning service or a provider is briefly unavailable, or the replica is shutting down; safe to retry.',
  },
};

/** The error body, its code narrowed to those an answer of this status can carry. */
const errorResponse = (status: number, codes: ErrorCode[], description = codes.map((c) => `${c}: ${ERROR_MEANING[c]}`).join('; ')): ResponseObject => ({
  description,
  ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
  content: json({ allOf: [{ $ref: `${COMPONENT}Error` }, { properties: { error: { properties: { code: { enum: codes } } } } }] }),
});

const sameCodes = (a: readonly ErrorCode[], b: readonly ErrorCode[]) => a.length === b.length && a.every((c) => b.includes(c));

/** The codes an operation can answer: its use case's, its input's, the platform's, and the gateway's for its access. */
export function errorCodes(route: DocumentedRoute, contract: OperationContract): ErrorCode[] {
  const codes = new Set<ErrorCode>([...contract.errors, ...inputErrors(contract), ...PLATFORM_ERRORS, 'METHOD_NOT_ALLOWED']);
  if (route.owner !== 'gateway') codes.add('UPSTREAM_UNAVAILABLE');
  if (route.access !== 'public') {
    codes.add('AUTH_REQUIRED');
    // A cookie-authenticated state change needs the CSRF token.
    if (changesState(route.method)) codes.add('CSRF_INVALID');
    if (!ROLES.every((r) => route.access.includes(r))) codes.add('FORBIDDEN');
  }
  return [...codes];
}

/** An operation's error answers by status: a shared one where its codes are the shared ones, else its own. */
export function errorResponses(codes: ErrorCode[]): OperationObject['responses'] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: OperationObject['responses'] = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const shared = Object.entries(SHARED_ERRORS).find(([, s]) => s.status === status && sameCodes(s.codes, group));
    out[String(status)] = shared ? { $ref: `#/components/responses/${shared[0]}` } : errorResponse(status, group);
  }
  return out;
}

/** The shared error answers, for components.responses. */
export const sharedErrorResponses = (): Record<string, ResponseObject> =>
  Object.fromEntries(Object.entries(SHARED_ERRORS).map(([name, s]) => [name, errorResponse(s.status, s.codes, s.description)]));

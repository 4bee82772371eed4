import { z } from 'zod';

/**
 * Every failure a client can see has a stable code, and the code alone decides the HTTP status:
 * services throw codes, never status numbers, and the API document lists codes per operation.
 */
export const ERROR_STATUS = {
  INVALID_INPUT: 400,
  AMOUNT_MISMATCH: 400,
  AUTH_REQUIRED: 401,
  TOKEN_REUSE_DETECTED: 401,
  INVALID_SIGNATURE: 401,
  PAYMENT_FAILED: 402,
  INSUFFICIENT_CREDITS: 402,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_ELIGIBLE: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
  ALREADY_ENTERED: 409,
  SOLD_OUT: 409,
  SALE_NOT_OPEN: 409,
  INVALID_TRANSITION: 409,
  ALREADY_REFUNDED: 409,
  IDEMPOTENCY_CONFLICT: 409,
  HOLD_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CONDITION_NOT_MET: 422,
  PROOF_OF_WORK_REQUIRED: 428,
  RATE_LIMIT_EXCEEDED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  UPSTREAM_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** What each code tells a client, for the API document. */
export const ERROR_MEANING: Record<ErrorCode, string> = {
  INVALID_INPUT: 'the body, query, path or a header fails its schema (details.fields names each problem)',
  AMOUNT_MISMATCH: 'the amount differs from the reservation\'s',
  AUTH_REQUIRED: 'no valid access token, session or credentials',
  TOKEN_REUSE_DETECTED: 'a used refresh token was presented: every session of the user has ended',
  INVALID_SIGNATURE: 'the webhook signature is missing, wrong or outside its time window',
  PAYMENT_FAILED: 'the payment gateway declined (details.reason says why)',
  INSUFFICIENT_CREDITS: 'not enough credits',
  FORBIDDEN: 'the caller may not do this',
  CSRF_INVALID: 'a cookie-authenticated state change without a valid X-CSRF-Token',
  NOT_ELIGIBLE: 'the caller does not meet the sale\'s conditions',
  NOT_FOUND: 'no such resource (or not one the caller may see)',
  METHOD_NOT_ALLOWED: 'the path does not serve this method',
  REQUEST_TIMEOUT: 'the request took too long to arrive',
  CONFLICT: 'the resource\'s state does not allow it now, or a twin request is in progress',
  ALREADY_EXISTS: 'it exists already',
  ALREADY_ENTERED: 'the caller already holds or owns as many seats as the sale allows',
  SOLD_OUT: 'no seats left',
  SALE_NOT_OPEN: 'the sale is not open (status, window, or inventory not armed)',
  INVALID_TRANSITION: 'the resource cannot move to that state from its current one',
  ALREADY_REFUNDED: 'the payment was refunded already',
  IDEMPOTENCY_CONFLICT: 'this Idempotency-Key was used for a different request',
  HOLD_EXPIRED: 'the reservation expired; its seat went back on sale',
  PAYLOAD_TOO_LARGE: 'the body is larger than the limit',
  UNSUPPORTED_MEDIA_TYPE: 'the body is not JSON',
  CONDITION_NOT_MET: 'the event\'s period or conditions are not met',
  PROOF_OF_WORK_REQUIRED: 'the account is under a guessing attack: solve details.challenge (details.bits leading zero bits of sha256(challenge:nonce)) and log in again with proof',
  RATE_LIMIT_EXCEEDED: 'too many requests: retry after Retry-After seconds',
  HEADERS_TOO_LARGE: 'the request headers are larger than the limit',
  INTERNAL: 'an unexpected failure (the requestId finds it in the logs)',
  UPSTREAM_UNAVAILABLE: 'the owning service or a provider did not answer',
  SHUTTING_DOWN: 'this replica is shutting down: retry',
  UNAVAILABLE: 'a store is briefly unavailable: retry',
};

/**
 * The one error body of every service and of the gateway:
 * `{"error":{"code","message","requestId"}}`, plus `details` (e.g. the offending fields) when
 * there are any. Nothing else: no stack, no internal names.
 */
export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      /** The X-Request-Id of the answer: what a client quotes when it reports a problem. */
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBody>;

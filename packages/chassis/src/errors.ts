/**
 * Every failure a client can see is an AppError with a stable code. The code decides the HTTP
 * status in one table, so routes never pick status numbers themselves.
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

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const errors = {
  invalidInput: (message: string, details?: unknown) => new AppError('INVALID_INPUT', message, details),
  authRequired: (message = 'Authentication required') => new AppError('AUTH_REQUIRED', message),
  forbidden: (message = 'You are not allowed to do this') => new AppError('FORBIDDEN', message),
  notFound: (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`),
  conflict: (message: string) => new AppError('CONFLICT', message),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError('RATE_LIMIT_EXCEEDED', 'Too many requests, try again later', undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    }),
  unavailable: (message = 'Service temporarily unavailable') => new AppError('UNAVAILABLE', message),
};

import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { ErrorBody } from '@stampede/contracts/api';
import { AppError, isAppError } from '../errors';
import type { Logger } from 'pino';
import { fromStoreOutage } from './outage';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Body-parser failures carry a `type`; they are client errors, not crashes. */
function fromBodyParser(err: BodyParserError): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body is larger than the limit');
    case 'entity.parse.failed':
      return new AppError('INVALID_INPUT', 'Request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding');
    case 'request.aborted':
      return new AppError('INVALID_INPUT', 'Request was aborted');
    default:
      return undefined;
  }
}

export function sendError(req: Request, res: Response, err: AppError): void {
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId: req.id } };
  if (err.details !== undefined) body.error.details = err.details;
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json(body);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = isAppError(err) ? err : fromBodyParser(err as BodyParserError);
    if (known) {
      if (known.status >= 500) logger.warn({ requestId: req.id, code: known.code }, known.message);
      return sendError(req, res, known);
    }
    const outage = fromStoreOutage(err);
    if (outage) {
      logger.warn({ err, requestId: req.id }, 'store unavailable');
      return sendError(req, res, outage);
    }
    logger.error({ err, requestId: req.id }, 'unhandled error');
    sendError(req, res, new AppError('INTERNAL', 'Internal error'));
  };
}

/** Enough of Express's router layers to ask which methods a path has routes for. */
interface RouterLayer {
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
  match(path: string): false | { path: string };
}

/** The methods some route serves at `path` (HEAD wherever GET is), nested routers included. */
export function allowedMethods(stack: readonly RouterLayer[], path: string): string[] {
  const methods = new Set<string>();
  for (const layer of stack) {
    const m = layer.match(path);
    if (!m) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
    } else if (layer.handle?.stack) {
      for (const method of allowedMethods(layer.handle.stack, path.slice(m.path.length) || '/')) methods.add(method);
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * 405 with Allow when the path exists under other methods (Express's routes, and the hot routes
 * served before Express); 404 when nothing serves it.
 */
export const notFound = (alsoAllowed?: (path: string) => string[]): RequestHandler => (req, res, next) => {
  const express = allowedMethods((req.app as unknown as { router: { stack: RouterLayer[] } }).router.stack, req.path);
  const allow = [...new Set([...express, ...(alsoAllowed?.(req.path) ?? [])])].sort();
  if (allow.length > 0) {
    res.setHeader('Allow', allow.join(', '));
    return next(new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path} (allowed: ${allow.join(', ')})`));
  }
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/**
 * A request body must be JSON: another type is refused before any route runs, so no route can
 * mistake an unparsed body for an empty one and act on its defaults. Requests without a body
 * pass (a POST whose every field has a default).
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  if (!hasBody || req.is(['application/json', '+json'])) return next();
  next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON (Content-Type: application/json)'));
};

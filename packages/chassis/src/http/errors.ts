import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError, isAppError, type ErrorBody } from '../errors';
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

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

import type { Request, Response } from 'express';
import type { Answer, PublicRequest } from '../domain/forwarding';

/** The request as it is forwarded: the raw body (parsed by nobody), the address Express trusts. */
export function publicRequest(req: Request): PublicRequest {
  return {
    method: req.method,
    url: req.originalUrl,
    headers: req.headers,
    body: Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined,
    ip: req.ip,
    requestId: req.id,
  };
}

export function setHeaders(res: Response, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/**
 * The upstream's answer, byte for byte. Not through Express's res.send(): the upstream already
 * answered the conditional request (If-None-Match is forwarded) and set its own ETag, so send()
 * would only hash the body again for an ETag of the gateway's own and re-check freshness.
 */
export function writeAnswer(res: Response, answer: Answer): void {
  const bodiless = answer.status === 204 || answer.status === 304;
  res.writeHead(answer.status, bodiless ? answer.headers : { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(bodiless ? undefined : answer.body);
}

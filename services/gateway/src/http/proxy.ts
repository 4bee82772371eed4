import { context, propagation } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { AppError } from '@stampede/chassis/errors';
import type { Request, Response } from 'express';
import { Pool } from 'undici';
import { RoundRobin } from '../domain/balancer';
import type { Upstream } from '../routes/table';
import { forwardHeaders, returnedHeaders } from './forward-headers';

export type UpstreamUrls = Record<Upstream, string[]>;

/**
 * The upstream's answer, byte for byte. Not through Express's res.send(): the upstream already
 * answered the conditional request (If-None-Match is forwarded) and set its own ETag, so send()
 * would only hash the body again for an ETag of the gateway's own and re-check freshness.
 */
function writeAnswer(res: Response, status: number, headers: Record<string, string>, body: Buffer): void {
  const bodiless = status === 204 || status === 304;
  res.writeHead(status, bodiless ? headers : { ...headers, 'content-length': String(body.length) });
  res.end(bodiless ? undefined : body);
}

export interface Proxy {
  forward(req: Request, res: Response, upstream: Upstream, timeoutMs: number, principal?: { userId: string }): Promise<void>;
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([502, 503]);
/** The connection was never made, so the request never left: safe to send elsewhere, any method. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Forwards a request to one replica of an upstream over a keep-alive pool. A GET that fails to
 * connect or gets 502/503 is retried once on another replica; other methods only when the
 * connection was refused (a dead replica), because otherwise the first attempt may have taken effect.
 */
export function createProxy(urls: UpstreamUrls, logger: Logger): Proxy {
  const pools = new Map<string, Pool>();
  const balancers = new Map<Upstream, RoundRobin<string>>();
  for (const [name, list] of Object.entries(urls) as [Upstream, string[]][]) {
    balancers.set(name, new RoundRobin(list));
    for (const url of list) {
      pools.set(url, new Pool(url, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 1_000 }));
    }
  }

  async function attempt(url: string, req: Request, timeoutMs: number) {
    const headers = forwardHeaders(req.headers);
    propagation.inject(context.active(), headers);
    headers['x-request-id'] = req.id;
    if (req.ip) headers['x-forwarded-for'] = req.ip;
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    return (pools.get(url) as Pool).request({
      method: req.method as 'GET',
      path: req.originalUrl,
      headers,
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  return {
    async forward(req, res, upstream, timeoutMs) {
      const balancer = balancers.get(upstream) as RoundRobin<string>;
      const idempotent = req.method === 'GET' || req.method === 'HEAD';
      let url = balancer.next();
      for (let tries = 1; ; tries++) {
        try {
          const answer = await attempt(url, req, timeoutMs);
          if (idempotent && tries === 1 && RETRYABLE_STATUS.has(answer.statusCode)) {
            await answer.body.dump();
            url = balancer.next(url);
            continue;
          }
          writeAnswer(res, answer.statusCode, returnedHeaders(answer.headers), Buffer.from(await answer.body.arrayBuffer()));
          return;
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'ERR';
          if ((idempotent || NOT_SENT.has(code)) && tries === 1) {
            url = balancer.next(url);
            continue;
          }
          logger.warn({ upstream, code, requestId: req.id }, 'upstream unavailable');
          if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
            throw new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service did not answer in time`);
          }
          throw new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service is unavailable`);
        }
      }
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
    },
  };
}

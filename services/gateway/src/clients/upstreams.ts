import type { ServerResponse } from 'node:http';
import { context, propagation } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { AppError } from '@stampede/chassis/errors';
import { unsampledTraceparent } from '@stampede/chassis/telemetry';
import { Pool } from 'undici';
import { IDENTITY_HEADER } from '@stampede/contracts';
import { RoundRobin } from '../domain/balancer';
import { forwardHeaders, retryAnswer, retryFailure, returnedHeaders, type Answer, type PublicRequest } from '../domain/forwarding';
import type { Upstream } from '../domain/routes';

export type UpstreamUrls = Record<Upstream, string[]>;

export interface Upstreams {
  /** The service's answer to the request; 503 UPSTREAM_UNAVAILABLE when no replica gave one. */
  forward(upstream: Upstream, req: PublicRequest, timeoutMs: number): Promise<Answer>;
  /**
   * A live stream (Server-Sent Events) piped to `res` as each chunk arrives: no buffering, no
   * body timeout, ended when either side closes. A non-200 answer comes back whole instead.
   */
  stream(upstream: Upstream, req: PublicRequest, res: ServerResponse, headers: Record<string, string>, timeoutMs: number): Promise<Answer | undefined>;
  close(): Promise<void>;
}

/**
 * The services behind the gateway, each over a keep-alive pool per replica, replicas taken in
 * turn. A failed first attempt goes once to another replica when the forwarding rules allow it.
 */
export function createUpstreams(urls: UpstreamUrls, logger: Logger): Upstreams {
  const pools = new Map<string, Pool>();
  // Streams hold their connection for as long as they are open: a pool of their own, unbounded,
  // so open streams never queue the requests of the hot path behind them.
  const streamPools = new Map<string, Pool>();
  const balancers = new Map<Upstream, RoundRobin<string>>();
  for (const [name, list] of Object.entries(urls) as [Upstream, string[]][]) {
    balancers.set(name, new RoundRobin(list));
    for (const url of list) {
      pools.set(url, new Pool(url, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 1_000 }));
      streamPools.set(url, new Pool(url, { connections: null, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 1_000 }));
    }
  }

  async function attempt(url: string, req: PublicRequest, timeoutMs: number, stream?: AbortSignal) {
    const headers = forwardHeaders(req.headers);
    propagation.inject(context.active(), headers);
    // An untraced request carries the decision on, so the service does not start a trace of its own.
    headers.traceparent ??= unsampledTraceparent();
    headers['x-request-id'] = req.requestId;
    if (req.ip) headers['x-forwarded-for'] = req.ip;
    if (req.identity) {
      headers[IDENTITY_HEADER] = req.identity;
      delete headers.authorization;
    }
    return ((stream ? streamPools : pools).get(url) as Pool).request({
      method: req.method as 'GET',
      path: req.url,
      headers,
      body: req.body,
      headersTimeout: timeoutMs,
      // A stream's body lasts as long as the client watches.
      bodyTimeout: stream ? 0 : timeoutMs,
      ...(stream ? { signal: stream } : {}),
    });
  }

  return {
    async forward(upstream, req, timeoutMs) {
      const balancer = balancers.get(upstream) as RoundRobin<string>;
      let url = balancer.next();
      for (let tries = 1; ; tries++) {
        try {
          const answer = await attempt(url, req, timeoutMs);
          if (tries === 1 && retryAnswer(req.method, answer.statusCode)) {
            await answer.body.dump();
            url = balancer.next(url);
            continue;
          }
          return { status: answer.statusCode, headers: returnedHeaders(answer.headers), body: Buffer.from(await answer.body.arrayBuffer()) };
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'ERR';
          if (tries === 1 && retryFailure(req.method, code)) {
            url = balancer.next(url);
            continue;
          }
          logger.warn({ upstream, code, requestId: req.requestId }, 'upstream unavailable');
          if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
            throw new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service did not answer in time`);
          }
          throw new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service is unavailable`);
        }
      }
    },
    async stream(upstream, req, res, extraHeaders, timeoutMs) {
      const balancer = balancers.get(upstream) as RoundRobin<string>;
      const aborted = new AbortController();
      res.once('close', () => aborted.abort());
      let url = balancer.next();
      let answer: Awaited<ReturnType<typeof attempt>>;
      for (let tries = 1; ; tries++) {
        try {
          answer = await attempt(url, req, timeoutMs, aborted.signal);
          if (tries === 1 && retryAnswer(req.method, answer.statusCode)) {
            await answer.body.dump();
            url = balancer.next(url);
            continue;
          }
          break;
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'ERR';
          if (tries === 1 && retryFailure(req.method, code) && !aborted.signal.aborted) {
            url = balancer.next(url);
            continue;
          }
          logger.warn({ upstream, code, requestId: req.requestId }, 'upstream unavailable');
          throw new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service is unavailable`);
        }
      }
      if (answer.statusCode !== 200) {
        return { status: answer.statusCode, headers: returnedHeaders(answer.headers), body: Buffer.from(await answer.body.arrayBuffer()) };
      }
      for (const [k, v] of Object.entries({ ...extraHeaders, ...returnedHeaders(answer.headers), 'x-accel-buffering': 'no' })) res.setHeader(k, v);
      res.statusCode = 200;
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      try {
        for await (const chunk of answer.body) {
          if (res.destroyed) break;
          res.write(chunk as Buffer);
        }
      } catch {
        // The replica went away or the client left: the client reconnects with Last-Event-ID.
      }
      if (!res.destroyed) res.end();
      answer.body.destroy();
      return undefined;
    },
    async close() {
      await Promise.all([...pools.values(), ...streamPools.values()].map((p) => p.close()));
    },
  };
}

import { captureLogs, http, rawHttp, type StartedApp } from '@stampede/devkit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errors } from '../src/errors';
import { parse } from '../src/http';
import { createMetrics } from '../src/metrics';
import { createService } from '../src/service';

/** What the routes did: a refused request must leave it unchanged. */
const created: string[] = [];

function start(logger: Logger, checks: Record<string, () => Promise<unknown>> = {}): Promise<StartedApp> {
  const service = createService({
    name: 'probe',
    logger,
    metrics: createMetrics('probe'),
    bodyLimit: '1kb',
    checks,
    staticHeaders: { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'" },
    routes: (app) => {
      app.post('/things/:id', (req, res) => {
        const body = parse(z.object({ name: z.string(), password: z.string().optional() }), req.body);
        res.status(201).json({ id: req.params.id, name: body.name });
      });
      app.post('/defaults', (req, res) => {
        const body = parse(z.object({ qty: z.number().int().default(1) }).strict(), req.body ?? {});
        created.push(`qty=${body.qty}`);
        res.status(201).json(body);
      });
      app.delete('/things/:id', (_req, res) => void res.status(204).end());
      app.get('/boom', () => {
        throw new Error('unexpected');
      });
      app.get('/forbidden', () => {
        throw errors.forbidden();
      });
    },
    fast: [
      {
        method: 'POST',
        path: '/fast/:id',
        handle: (req) => {
          const body = parse(z.object({ qty: z.number().int().default(1) }).strict(), req.json() ?? {});
          created.push(`fast:${req.params.id}:${body.qty}`);
          return { status: 201, body: { id: req.params.id, qty: body.qty, ip: req.ip } };
        },
      },
      {
        method: 'GET',
        path: '/fast-boom',
        handle: () => {
          throw new Error('unexpected');
        },
      },
    ],
  });
  return service.listen(0, '127.0.0.1').then(() => ({ service, url: service.url(), stop: () => service.shutdown() }));
}

describe('the service chassis over HTTP', () => {
  const logs = captureLogs('debug');
  let app: StartedApp;
  let healthy = true;
  beforeAll(async () => {
    app = await start(logs.logger, {
      dependency: async () => {
        if (!healthy) throw new Error('dependency down');
      },
    });
  });
  afterAll(() => app.stop());

  it('when a body is over the limit, then 413 in the uniform error body', async () => {
    const res = await http('POST', `${app.url}/things/1`, { body: { name: 'x'.repeat(2048) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String), requestId: expect.any(String) } });
  });

  it('when a body is malformed JSON, then 400 INVALID_INPUT with the request id', async () => {
    const res = await http('POST', `${app.url}/things/1`, { raw: '{"name": ', headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'INVALID_INPUT', message: 'Request body is not valid JSON', requestId: 'req-123' });
    expect(res.headers.get('x-request-id')).toBe('req-123');
  });

  it('when a field is wrong, then 400 names the field', async () => {
    const res = await http('POST', `${app.url}/things/1`, { body: { name: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.message).toMatch(/name/);
  });

  it('when no route matches, then 404 NOT_FOUND in the uniform body', async () => {
    const res = await http('GET', `${app.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('when a handler throws a typed error, then its status and code are used', async () => {
    const res = await http('GET', `${app.url}/forbidden`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('when a handler crashes, then 500 INTERNAL without internals leaking', async () => {
    const res = await http('GET', `${app.url}/boom`);
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({ code: 'INTERNAL', message: 'Internal error', requestId: expect.any(String) });
  });

  it('when a request carries authorization and password, then the log line shows them redacted', async () => {
    const secretPassword = 'hunter2-correct-horse';
    const bearer = 'Bearer eyJhbGciOiJFUzI1NiJ9.secret-token-value';
    await http('POST', `${app.url}/things/7`, {
      body: { name: 'widget', password: secretPassword },
      headers: { authorization: bearer },
    });
    const line = logs.lines().find((l) => l.includes('/things/7'));
    expect(line).toBeDefined();
    const parsed = JSON.parse(line as string);
    expect(parsed.req.headers.authorization).toBe('[REDACTED]');
    expect(parsed.req.body.password).toBe('[REDACTED]');
    expect(parsed.req.body.name).toBe('widget');
    expect(logs.text()).not.toContain(secretPassword);
    expect(logs.text()).not.toContain('secret-token-value');
  });

  it('healthz is 200 and readyz follows the dependency checks', async () => {
    expect((await http('GET', `${app.url}/healthz`)).status).toBe(200);
    expect((await http('GET', `${app.url}/readyz`)).status).toBe(200);
    healthy = false;
    const down = await http('GET', `${app.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.body.checks.dependency).toBe('dependency down');
    expect((await http('GET', `${app.url}/healthz`)).status).toBe(200);
    healthy = true;
    expect((await http('GET', `${app.url}/readyz`)).status).toBe(200);
  });

  it('metrics expose the request histogram by method, route template and status', async () => {
    await http('POST', `${app.url}/things/99`, { body: { name: 'a' } });
    const res = await fetch(`${app.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*method="POST",route="\/things\/:id",status_code="201"/);
    expect(text).not.toMatch(/route="\/things\/99"/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  describe('hot routes served without Express', () => {
    it('when a hot route answers, then it has the request id, the static headers, JSON, and the metrics and log line of any route', async () => {
      const res = await http('POST', `${app.url}/fast/7`, { body: { qty: 2 }, headers: { 'x-request-id': 'fast-1', 'x-forwarded-for': '203.0.113.9' } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: '7', qty: 2, ip: '203.0.113.9' });
      expect(res.headers.get('x-request-id')).toBe('fast-1');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await (await fetch(`${app.url}/metrics`)).text();
      expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*method="POST",route="\/fast\/:id",status_code="201"/);
      expect(logs.lines().some((l) => l.includes('"requestId":"fast-1"') && l.includes('"status":201'))).toBe(true);
    });

    it('when a hot route gets a body that is not JSON, malformed, over the limit or wrong, then the same uniform errors as Express, and the route never ran', async () => {
      const before = [...created];
      const form = await http('POST', `${app.url}/fast/1`, { raw: 'qty=5', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect([form.status, form.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      const bad = await http('POST', `${app.url}/fast/1`, { raw: '{"qty":', headers: { 'x-request-id': 'fast-bad' } });
      expect(bad.body).toEqual({ error: { code: 'INVALID_INPUT', message: 'Request body is not valid JSON', requestId: 'fast-bad' } });
      const big = await http('POST', `${app.url}/fast/1`, { body: { qty: 1, pad: 'x'.repeat(2048) } });
      expect([big.status, big.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      for (const raw of ['null', '42', '"qty"']) {
        const bare = await http('POST', `${app.url}/fast/1`, { raw });
        expect([raw, bare.status, bare.body.error.code]).toEqual([raw, 400, 'INVALID_INPUT']);
      }
      const longId = await http('POST', `${app.url}/fast/${'a'.repeat(500)}`, { body: { qty: 'x' } });
      expect([longId.status, longId.body.error.code]).toEqual([400, 'INVALID_INPUT']);
      const wrong = await http('POST', `${app.url}/fast/1`, { body: { qty: 'two' } });
      expect([wrong.status, wrong.body.error.code]).toEqual([400, 'INVALID_INPUT']);
      expect(created).toEqual(before);
      // No body at all: the route runs with its defaults.
      expect((await http('POST', `${app.url}/fast/9`)).body).toMatchObject({ id: '9', qty: 1 });
    });

    it('when a hot route crashes, then 500 INTERNAL without internals, and other methods and paths still reach Express', async () => {
      const boom = await http('GET', `${app.url}/fast-boom`);
      expect(boom.body.error).toEqual({ code: 'INTERNAL', message: 'Internal error', requestId: expect.any(String) });
      // Another method on a hot path: 405 with the hot route's method in Allow.
      const other = await http('GET', `${app.url}/fast/1`);
      expect([other.status, other.headers.get('allow')]).toEqual([405, 'POST']);
      expect((await http('GET', `${app.url}/healthz`)).status).toBe(200);
    });
  });

  describe('what a route never sees', () => {
    it.each([
      ['text/plain', 'qty=5'],
      ['application/x-www-form-urlencoded', 'qty=5'],
      ['multipart/form-data; boundary=x', '--x\r\ncontent-disposition: form-data; name="qty"\r\n\r\n5\r\n--x--'],
    ])('when a body comes as %s, then 415 UNSUPPORTED_MEDIA_TYPE and the route never ran', async (type, raw) => {
      const before = [...created];
      const res = await http('POST', `${app.url}/defaults`, { raw, headers: { 'content-type': type } });
      expect(res.status).toBe(415);
      expect(res.body.error).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('JSON'), requestId: expect.any(String) });
      expect(created).toEqual(before);
    });

    it('when a POST has no body at all, then the route runs with its defaults; JSON and +json bodies are parsed', async () => {
      expect((await http('POST', `${app.url}/defaults`)).body).toEqual({ qty: 1 });
      expect((await http('POST', `${app.url}/defaults`, { body: { qty: 3 } })).body).toEqual({ qty: 3 });
      const merge = await http('POST', `${app.url}/defaults`, { raw: '{"qty":4}', headers: { 'content-type': 'application/merge-patch+json' } });
      expect(merge.body).toEqual({ qty: 4 });
    });

    it('when a known path is asked with another method, then 405 with Allow; an unknown path stays 404', async () => {
      const res = await http('GET', `${app.url}/things/1`);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('DELETE, POST');
      expect(res.body.error).toEqual({ code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining('GET'), requestId: expect.any(String) });
      const put = await http('PUT', `${app.url}/boom`);
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET, HEAD');
      expect((await http('GET', `${app.url}/nowhere/at/all`)).status).toBe(404);
    });

    it('when the headers are over the limit, then 431 in the uniform body with a request id and the static headers', async () => {
      const res = await rawHttp(app.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'");
      expect(res.body).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String), requestId: res.headers['x-request-id'] } });
    });

    it('when the request line is malformed, then 400 INVALID_INPUT in the uniform body', async () => {
      const res = await rawHttp(app.url, 'NOT A REQUEST\r\n\r\n');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_INPUT');
      expect(res.body.error.requestId).toEqual(res.headers['x-request-id']);
    });
  });
});

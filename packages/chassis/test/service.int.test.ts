import { captureLogs, http, type StartedApp } from '@stampede/devkit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errors } from '../src/errors';
import { parse } from '../src/http';
import { createMetrics } from '../src/metrics';
import { createService } from '../src/service';

function start(logger: Logger, checks: Record<string, () => Promise<unknown>> = {}): Promise<StartedApp> {
  const service = createService({
    name: 'probe',
    logger,
    metrics: createMetrics('probe'),
    bodyLimit: '1kb',
    checks,
    routes: (app) => {
      app.post('/things/:id', (req, res) => {
        const body = parse(z.object({ name: z.string(), password: z.string().optional() }), req.body);
        res.status(201).json({ id: req.params.id, name: body.name });
      });
      app.get('/boom', () => {
        throw new Error('unexpected');
      });
      app.get('/forbidden', () => {
        throw errors.forbidden();
      });
    },
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
});

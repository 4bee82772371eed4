import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RunningService } from '@stampede/chassis/service';
import { startApp, type StartedApp } from './app';
import { http } from './http';
import { testStoreEnv } from './infra';
import { waitFor } from '../infra/processes';

/**
 * The foundation's contract, asserted for every service against the real stores: it boots with
 * the chassis and answers health, readiness and metrics.
 */
export function describeServiceBoot<S extends z.ZodRawShape>(
  name: string,
  shape: S,
  build: (config: z.infer<z.ZodObject<S>>, logger: Logger) => Promise<RunningService>,
  opts: { database?: string; env?: () => Record<string, string>; checks: string[] },
): void {
  describe(`${name} service boot`, () => {
    let app: StartedApp;
    beforeAll(async () => {
      app = await startApp(shape, build, { ...testStoreEnv(opts.database), ...opts.env?.() });
    });
    afterAll(() => app?.stop());

    it('answers /healthz with 200', async () => {
      expect((await http('GET', `${app.url}/healthz`)).status).toBe(200);
    });

    it(`answers /readyz with 200 once ${opts.checks.join(', ')} answer`, async () => {
      // Store clients connect in the background; readiness turns 200 once they have.
      await waitFor('readyz', async () => (await http('GET', `${app.url}/readyz`)).status === 200, 10_000, 50);
      const res = await http('GET', `${app.url}/readyz`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.checks).sort()).toEqual([...opts.checks].sort());
    });

    it('exposes Prometheus metrics with the request histogram', async () => {
      await http('GET', `${app.url}/healthz`);
      const text = await (await fetch(`${app.url}/metrics`)).text();
      expect(text).toContain('http_server_request_duration_seconds_bucket');
      expect(text).toContain(`service="${name}"`);
      if (opts.checks.includes('redis')) expect(text).toMatch(/stampede_redis_cluster_ok\{[^}]*\} 1/);
    });
  });
}

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { startApp, startTestIssuer, testDatabaseUrl, testStoreEnv, http, type StartedApp, type TestIssuer } from '@stampede/devkit';
import type { Logger } from 'pino';
import type { Role } from '@stampede/contracts';
import { buildEvent, type EventService } from '../src/app';
import { configShape } from '../src/config';

export interface EventHarness {
  app: StartedApp;
  service: EventService;
  url: string;
  issuer: TestIssuer;
  db: Pool;
  token(roles: Role[]): Promise<string>;
  user(roles?: Role[]): Promise<{ userId: string; token: string }>;
  count(sql: string, params?: unknown[]): Promise<number>;
  stop(): Promise<void>;
}

/** The event service in-process against the test infra, with a token issuer and a SQL client for assertions. */
export async function startEvent(opts: { consumer?: boolean; logger?: Logger; env?: Record<string, string> } = {}): Promise<EventHarness> {
  const issuer = await startTestIssuer();
  const app = await startApp(
    configShape,
    buildEvent,
    { ...testStoreEnv('event'), ...issuer.env(), ORDERS_CONSUMER_ENABLED: opts.consumer ? 'true' : 'false', ...opts.env },
    opts.logger,
  );
  const db = new Pool({ connectionString: testDatabaseUrl('event'), max: 4 });
  return {
    app,
    service: app.service as EventService,
    url: app.url,
    issuer,
    db,
    token: (roles) => issuer.token({ roles }),
    user: (roles) => issuer.user(roles),
    async count(sql, params = []) {
      const res = await db.query<{ n: string }>(`select count(*) as n from (${sql}) q`, params);
      return Number(res.rows[0]?.n ?? 0);
    },
    async stop() {
      await app.stop();
      await db.end();
      await issuer.stop();
    },
  };
}

const HOUR = 3_600_000;

/** A valid sale body with a unique name (the suite shares one database). */
export function saleBody(overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    name: `sale-${randomUUID()}`,
    product: { sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Limited sneakers' },
    unitPrice: 129_000,
    stock: 5,
    opensAt: new Date(now + HOUR).toISOString(),
    closesAt: new Date(now + 2 * HOUR).toISOString(),
    ...overrides,
  };
}

export async function createSale(url: string, token: string, overrides: Record<string, unknown> = {}) {
  const res = await http('POST', `${url}/sales`, { token, body: saleBody(overrides) });
  if (res.status !== 201) throw new Error(`create sale: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; status: string; version: number; stock: number; waitingRoom: Record<string, unknown> };
}

export async function transition(url: string, token: string, id: string, to: string) {
  return http('POST', `${url}/sales/${id}/transition`, { token, body: { to } });
}

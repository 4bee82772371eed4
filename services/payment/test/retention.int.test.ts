import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm } from '@stampede/chassis/clients/orm';
import { createLogger } from '@stampede/chassis/logger';
import type { Pool } from 'pg';
import { model } from '../src/store/model';
import { startRetention } from '../src/workers/retention';
import { paymentDb, privatePaymentDatabase } from './support/fixture';

/**
 * The payment database does not grow with every sale: finished idempotency keys and published
 * outbox rows are deleted once past their retention, and nothing else is — above all never an
 * outbox row not yet published. On a database of this file's own (real PostgreSQL).
 */
describe('payment retention sweep', () => {
  const logger = createLogger({ service: 'payment-test', level: 'silent' });
  let url: string;
  let db: Pool;
  const orms: MikroORM[] = [];
  const orm = async () => {
    const o = await initOrm({ ...model, clientUrl: url });
    orms.push(o);
    return o;
  };
  const sweep = async (batch: number, deleted: Record<string, number> = {}) =>
    startRetention({
      orm: await orm(),
      logger,
      intervalMs: 0,
      idempotencyHours: 24,
      outboxHours: 168,
      batch,
      onDeleted: (table, n) => void (deleted[table] = (deleted[table] ?? 0) + n),
    });

  beforeAll(async () => {
    url = await privatePaymentDatabase('payment_retention');
    db = paymentDb(url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(orms.map((o) => o.close(true)));
    await db?.end();
  });
  beforeEach(async () => {
    await db.query('truncate idempotency_keys, outbox');
  });

  /** `n` idempotency keys named `<prefix>-<i>`, finished or not, `hoursAgo` old. */
  const keys = (prefix: string, n: number, status: 'DONE' | 'IN_PROGRESS', hoursAgo: number) =>
    db.query(
      `insert into idempotency_keys (scope, principal, key, fingerprint, status, response_status, response_body, created_at, completed_at)
       select 'confirm', 'u1', $1 || '-' || i, 'fp', $2::text, case when $2::text = 'DONE' then 200 end, case when $2::text = 'DONE' then '{}'::json end,
              now() - $3 * interval '1 hour', case when $2::text = 'DONE' then now() - $3 * interval '1 hour' end
       from generate_series(1, $4::int) i`,
      [prefix, status, hoursAgo, n],
    );
  /** `n` outbox rows `hoursAgo` old, published at that time or (sent = false) never. */
  const outbox = (n: number, hoursAgo: number, sent: boolean) =>
    db.query(
      `insert into outbox (event_id, topic, msg_key, payload, created_at, sent_at)
       select gen_random_uuid(), 'payment.events', 'k', '{}', now() - $1 * interval '1 hour', case when $2 then now() - $1 * interval '1 hour' end
       from generate_series(1, $3::int)`,
      [hoursAgo, sent, n],
    );
  const left = async () => ({
    keys: (await db.query<{ key: string }>('select key from idempotency_keys order by key')).rows.map((r) => r.key.replace(/-\d+$/, '')),
    outbox: (await db.query<{ sent: boolean; age: number }>("select sent_at is not null as sent, round(extract(epoch from now() - created_at) / 3600)::int as age from outbox order by id")).rows,
  });

  it('when rows are past retention, then exactly those are deleted, in batches, and an unpublished outbox row is never deleted however old', async () => {
    await keys('old-done', 5, 'DONE', 25);
    await keys('new-done', 2, 'DONE', 23);
    await keys('old-unfinished', 3, 'IN_PROGRESS', 25);
    await keys('new-unfinished', 1, 'IN_PROGRESS', 0.1);
    await outbox(4, 24 * 8, true);
    await outbox(2, 24, true);
    await outbox(3, 24 * 30, false);
    const deleted: Record<string, number> = {};

    const got = await (await sweep(2, deleted)).tick();

    expect(got).toEqual({ idempotencyKeys: 8, outbox: 4 });
    expect(deleted).toEqual({ idempotency_keys: 8, outbox: 4 });
    const after = await left();
    expect(new Set(after.keys)).toEqual(new Set(['new-done', 'new-unfinished']));
    expect(after.keys).toHaveLength(3);
    expect(after.outbox).toEqual([
      { sent: true, age: 24 },
      { sent: true, age: 24 },
      { sent: false, age: 720 },
      { sent: false, age: 720 },
      { sent: false, age: 720 },
    ]);
    // A second sweep finds nothing more.
    expect(await (await sweep(2)).tick()).toEqual({ idempotencyKeys: 0, outbox: 0 });
  });

  it('when three replicas sweep the same backlog at once, then every expired row is deleted exactly once and none fails', async () => {
    await keys('old', 3_000, 'DONE', 48);
    await keys('keep', 10, 'DONE', 1);
    await outbox(2_000, 24 * 10, true);
    const replicas = await Promise.all([sweep(100), sweep(100), sweep(100)]);

    const results = await Promise.all(replicas.map((r) => r.tick()));

    expect(results.reduce((s, r) => s + r.idempotencyKeys, 0)).toBe(3_000);
    expect(results.reduce((s, r) => s + r.outbox, 0)).toBe(2_000);
    const after = await left();
    expect(after.keys).toEqual(Array(10).fill('keep'));
    expect(after.outbox).toEqual([]);
  });
});

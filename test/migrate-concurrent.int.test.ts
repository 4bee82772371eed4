import { resolve } from 'node:path';
import { Client } from 'pg';
import { MIGRATION_LOCK_ID } from '@stampede/chassis/clients/orm';
import { spawnTs, startPostgres, waitFor, type PostgresHandle } from '@stampede/devkit';

/**
 * The chart migrates in an init container of every database service pod: on an install or a
 * rollout, several replicas run migrate.ts against the same database at once. Real processes,
 * a fresh database, and the test holding migrate's lock until every replica is queued on it, so
 * they really start together: all of them succeed, and each migration is applied exactly once.
 */
const root = resolve(__dirname, '..');
const REPLICAS = 4;
let pg: PostgresHandle;

beforeAll(async () => {
  const port = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 47;
  pg = await startPostgres({ dir: resolve(root, '.stampede', `migrate-concurrent-${port}`), port, databases: ['auth'], fast: true });
});

afterAll(async () => {
  await pg?.stop();
});

describe('migrations run by several replicas at once', () => {
  it('when every replica of a fresh release migrates together, then all succeed and each migration is applied once', async () => {
    const holder = new Client({ connectionString: pg.url('auth') });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const runs = await Promise.all(
      Array.from({ length: REPLICAS }, () => spawnTs(root, 'services/auth/src/migrate.ts', { DATABASE_URL: pg.url('auth') }, { waitReady: false })),
    );
    const waiting = async () => Number((await holder.query("select count(*) from pg_locks where locktype = 'advisory' and not granted")).rows[0].count);
    await waitFor(`${REPLICAS} replicas queued on the migration lock`, async () => (await waiting()) === REPLICAS, 30_000, 100);
    await holder.end();
    const codes = await Promise.all(runs.map((r) => r.exited));
    expect(codes).toEqual(runs.map(() => 0));
    const applied = runs.map((r) => Number(/auth: (\d+) migration\(s\) applied/.exec(r.output())?.[1]));
    // One replica applied them all; the others waited on the lock and found nothing left to do.
    expect(applied.filter((n) => n > 0)).toHaveLength(1);
    expect(applied.filter((n) => n === 0)).toHaveLength(REPLICAS - 1);
    const rows = await pg.psql('auth', 'select count(*), count(distinct name) from mikro_orm_migrations');
    expect(rows).toBe(`${applied.find((n) => n > 0)}|${applied.find((n) => n > 0)}`);
  });
});

import { resolve } from 'node:path';
import { migrate } from '@stampede/chassis/clients/orm';
import {
  http,
  ProcessGroup,
  spawnTs,
  startApp,
  startPostgres,
  testStoreEnv,
  waitFor,
  type PostgresHandle,
} from '@stampede/devkit';
import { buildAuth } from '../services/auth/src/app';
import { configShape as authShape } from '../services/auth/src/config';
import { model as authModel } from '../services/auth/src/store/model';
import { newSigningKey } from '../services/auth/test/support';

const root = resolve(__dirname, '..');

describe('start-up configuration', () => {
  it.each([
    ['entry', { REDIS_NODES: 'redis-without-port' }, 'REDIS_NODES'],
    ['payment', { REDIS_NODES: '127.0.0.1:7000', DATABASE_URL: 'not a url', KAFKA_BROKERS: 'k:9092' }, 'DATABASE_URL'],
    ['gateway', { REDIS_NODES: '127.0.0.1:7000', PORT: 'http' }, 'PORT'],
  ])('when %s starts with a malformed variable, then it exits non-zero naming %s', async (service, env, variable) => {
    const proc = await spawnTs(root, `services/${service}/src/main.ts`, env as Record<string, string>, { waitReady: false });
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.output()).toContain(variable);
    expect(proc.output()).toMatch(/Invalid configuration/);
  });
});

describe('readiness follows PostgreSQL', () => {
  let pg: PostgresHandle;
  const group = new ProcessGroup(resolve(root, '.stampede', 'readiness-test', 'logs'));
  beforeAll(async () => {
    const port = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 20;
    pg = await startPostgres({ dir: resolve(root, '.stampede', `readiness-pg-${port}`), port, databases: ['auth'], fast: true });
    await migrate({ ...authModel, clientUrl: pg.url('auth') });
  });
  afterAll(async () => {
    await pg?.stop();
    await group.stopAll();
  });

  it('when its PostgreSQL is killed, then /readyz is 503 within 5 s while /healthz stays 200, and recovers after restart', async () => {
    const app = await startApp(authShape, buildAuth, {
      ...testStoreEnv(),
      DATABASE_URL: pg.url('auth'),
      AUTH_SIGNING_KEYS: JSON.stringify([newSigningKey()]),
    });
    try {
      // Listening comes before ready: the Redis Cluster client may still be connecting.
      await waitFor('readyz 200 before the kill', async () => (await http('GET', `${app.url}/readyz`)).status === 200, 10_000, 50);
      await pg.kill();
      const killedAt = Date.now();
      await waitFor('readyz 503', async () => (await http('GET', `${app.url}/readyz`)).status === 503, 5_000, 100);
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      expect((await http('GET', `${app.url}/healthz`)).status).toBe(200);
      await pg.start();
      await waitFor('readyz 200', async () => (await http('GET', `${app.url}/readyz`)).status === 200, 15_000, 200);
    } finally {
      await app.stop();
    }
  });
});

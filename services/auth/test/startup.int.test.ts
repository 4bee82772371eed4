import { resolve } from 'node:path';
import { spawnTs, testDatabaseUrl, testStoreEnv } from '@stampede/devkit';
import { Client } from 'pg';
import { login, newSigningKey, startAuth, uniqueEmail } from './support';

const root = resolve(__dirname, '../../..');

describe('auth start-up', () => {
  it('when three replicas start at once with the same initial ADMIN, then both start and exactly one ADMIN account exists', async () => {
    const email = uniqueEmail('root-admin');
    const password = 'Boot-Admin-Passw0rd';
    const env = { ADMIN_EMAIL: email.toUpperCase(), ADMIN_PASSWORD: password };
    const keys = [newSigningKey()];
    const replicas = await Promise.all([startAuth(env, { keys }), startAuth(env, { keys }), startAuth(env, { keys })]);
    try {
      const db = new Client({ connectionString: testDatabaseUrl('auth') });
      await db.connect();
      const rows = (await db.query('select roles from users where email = $1', [email])).rows;
      await db.end();
      expect(rows).toEqual([{ roles: ['USER', 'ADMIN'] }]);
      const res = await login(replicas[1]!.url, email, password);
      expect(res.status).toBe(200);
      // A restart finds the account and changes nothing.
      const again = await startAuth(env, { keys });
      await again.stop();
      expect((await login(replicas[0]!.url, email, password)).status).toBe(200);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });

  it('when AUTH_SIGNING_KEYS is malformed, then the real process exits 78 with a message naming it and not the secret', async () => {
    const proc = await spawnTs(root, 'services/auth/src/main.ts', {
      ...testStoreEnv('auth'),
      AUTH_SIGNING_KEYS: '[{"kty":"EC","crv":"P-256","d":"TOP-SECRET-D"}]',
    }, { waitReady: false });
    const code = await proc.exited;
    expect(code).toBe(78);
    expect(proc.output()).toContain('AUTH_SIGNING_KEYS');
    expect(proc.output()).not.toContain('TOP-SECRET-D');
  });

  it('when the real process starts with a valid key, then it serves its JWKS', async () => {
    const key = newSigningKey('proc-key');
    const proc = await spawnTs(root, 'services/auth/src/main.ts', { ...testStoreEnv('auth'), AUTH_SIGNING_KEYS: JSON.stringify([key]) });
    try {
      const jwks = (await (await fetch(`${proc.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual(['proc-key']);
    } finally {
      expect(await proc.kill('SIGTERM')).toBe(0);
    }
  });
});

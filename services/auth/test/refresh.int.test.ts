import { http, testDatabaseUrl } from '@stampede/devkit';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Client } from 'pg';
import { login, newUser, startAuth, whoAmI, type AuthUnderTest } from './support';

describe('refresh-token rotation with reuse detection', () => {
  let auth: AuthUnderTest;
  let db: Client;
  beforeAll(async () => {
    auth = await startAuth();
    db = new Client({ connectionString: testDatabaseUrl('auth') });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await auth?.stop();
  });

  const refresh = (refreshToken: string) => http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken } });

  it('when a refresh token is used, then a new pair comes back for the same session and only hashes are stored', async () => {
    const u = await newUser(auth.url);
    const res = await refresh(u.refreshToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.refreshToken).not.toBe(u.refreshToken);
    expect(res.body.accessToken).not.toBe(u.accessToken);
    expect(res.body.expiresIn).toBe(900);
    expect(decodeJwt(res.body.accessToken)).toMatchObject({ sub: u.id, sid: u.sid });
    expect((await whoAmI(auth.url, u.id, res.body.accessToken)).status).toBe(200);

    const rows = (await db.query('select token_hash, family_id, used_at, expires_at from refresh_tokens where user_id = $1 order by created_at', [u.id])).rows;
    expect(rows).toHaveLength(2);
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    expect(rows.map((r) => r.token_hash)).toEqual([sha(u.refreshToken), sha(res.body.refreshToken)]);
    expect(rows[0].family_id).toBe(rows[1].family_id);
    expect(rows[0].used_at).not.toBeNull();
    expect(rows[1].used_at).toBeNull();
    // 7 days by default.
    const days = (rows[1].expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(u.refreshToken);
    expect(stored).not.toContain(res.body.refreshToken);
  });

  it('when an already-used refresh token comes back, then 401 TOKEN_REUSE_DETECTED, the newest token of the family is dead and the sessions end', async () => {
    const u = await newUser(auth.url);
    const second = await refresh(u.refreshToken);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);

    const replay = await refresh(u.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('TOKEN_REUSE_DETECTED');

    const newest = await refresh(third.body.refreshToken);
    expect(newest.status).toBe(401);
    expect((await whoAmI(auth.url, u.id, third.body.accessToken)).status).toBe(401);
    const family = (await db.query('select revoked_at, revoke_reason from refresh_families where user_id = $1', [u.id])).rows;
    expect(family).toEqual([{ revoked_at: expect.any(Date), revoke_reason: 'reuse-detected' }]);

    // The user can still log in again afterwards.
    const again = await login(auth.url, u.email);
    expect(again.status).toBe(200);
    expect((await refresh(again.body.refreshToken)).status).toBe(200);
  });

  it('when 20 refreshes with one token race, then exactly one gets 200', async () => {
    const u = await newUser(auth.url);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(u.refreshToken)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
    // The losers presented a token that had just been used: that is reuse, and it is treated so.
    expect(results.filter((r) => r.status === 401).every((r) => r.body.error.code === 'TOKEN_REUSE_DETECTED')).toBe(true);
    const issued = (await db.query('select count(*)::int as n from refresh_tokens where user_id = $1', [u.id])).rows[0].n;
    expect(issued).toBe(2);
  });

  it.each([
    ['an unknown token', 'A'.repeat(43)],
    ['a malformed token', 'not a refresh token'],
  ])('when %s is presented, then 401 AUTH_REQUIRED and nothing changes', async (_what, token) => {
    const res = await refresh(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it('when the body has no refresh token, then 400 naming refreshToken', async () => {
    const res = await http('POST', `${auth.url}/auth/refresh`, { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('refreshToken');
  });

  it('when a refresh token has expired, then 401 AUTH_REQUIRED (not reuse) and no new token is issued', async () => {
    const u = await newUser(auth.url);
    const hash = createHash('sha256').update(u.refreshToken).digest('hex');
    await db.query("update refresh_tokens set expires_at = now() - interval '1 second' where token_hash = $1", [hash]);
    const res = await refresh(u.refreshToken);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
    expect((await db.query('select count(*)::int as n from refresh_tokens where user_id = $1', [u.id])).rows[0].n).toBe(1);
    expect((await whoAmI(auth.url, u.id, u.accessToken)).status).toBe(200);
  });
});

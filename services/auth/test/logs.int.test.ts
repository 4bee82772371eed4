import { createHash } from 'node:crypto';
import { captureLogs, http, testDatabaseUrl } from '@stampede/devkit';
import { Client } from 'pg';
import { clientIp, startAuth, uniqueEmail, type AuthUnderTest } from './support';

describe('what reaches the logs', () => {
  const logs = captureLogs('debug');
  let auth: AuthUnderTest;
  beforeAll(async () => {
    auth = await startAuth({ LOG_LEVEL: 'debug' }, { logger: logs.logger });
  });
  afterAll(() => auth?.stop());

  it('when a user signs up, logs in, fails a login and refreshes (debug level), then no password, token or hash is in any log line', async () => {
    const email = uniqueEmail('logged');
    const password = 'Very-Secret-Passw0rd';
    const ip = clientIp();
    expect((await http('POST', `${auth.url}/users`, { body: { email, password } })).status).toBe(201);
    await http('POST', `${auth.url}/auth/login`, { body: { email, password: 'Wrong-Secret-Passw0rd' }, headers: { 'x-forwarded-for': ip } });
    const loginRes = await http('POST', `${auth.url}/auth/login`, { body: { email, password }, headers: { 'x-forwarded-for': ip } });
    expect(loginRes.status).toBe(200);
    const { accessToken, refreshToken } = loginRes.body;
    const refreshed = await http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken }, headers: { authorization: `Bearer ${accessToken}` } });
    expect(refreshed.status).toBe(200);
    expect((await http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken } })).status).toBe(401); // reuse: logged as a warning

    const db = new Client({ connectionString: testDatabaseUrl('auth') });
    await db.connect();
    const { password_hash: passwordHash } = (await db.query('select password_hash from users where email = $1', [email])).rows[0];
    await db.end();

    const text = logs.text();
    // The logs did record these requests (so the checks below look at real lines).
    expect(text).toContain('/auth/login');
    expect(text).toContain('/auth/refresh');
    expect(text).toContain('refresh token reuse detected');
    expect(text).toContain('[REDACTED]');

    const secrets = {
      password,
      wrongPassword: 'Wrong-Secret-Passw0rd',
      accessToken,
      accessTokenSignature: accessToken.split('.')[2],
      refreshToken,
      newRefreshToken: refreshed.body.refreshToken,
      newAccessToken: refreshed.body.accessToken,
      passwordHash,
      passwordHashDigest: passwordHash.split('$').pop(),
      refreshTokenHash: createHash('sha256').update(refreshToken).digest('hex'),
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: text.includes(secret) }).toEqual({ name, found: false });
    }
    expect(text).not.toMatch(/\$argon2id\$/);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { solveLoginProof } from '@stampede/contracts';
import { buildConsole } from '../apps/console/build';
import { call, http, signUpAndLogin, type Session } from '@stampede/devkit';
import { startTestPlatform, type TestPlatform } from './support/platform';

/** Set-Cookie lines of an answer, by cookie name. */
function setCookies(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of headers.getSetCookie()) out[line.slice(0, line.indexOf('='))] = line;
  return out;
}
const valueOf = (line: string | undefined) => (line ? (line.slice(line.indexOf('=') + 1).split(';')[0] as string) : '');

/**
 * A browser's session through the gateway, on the real auth, event and gateway processes: tokens
 * only in HttpOnly cookies, every change of state behind the CSRF pair, sign-out ends it.
 */
describe('the browser session', () => {
  let platform: TestPlatform;
  let gw: string;
  let shopper: Session & { password: string };
  const adminEmail = `admin-${randomBytes(4).toString('hex')}@stampede.test`;
  const adminPassword = `Admin-${randomBytes(12).toString('base64url')}7`;

  const consoleDir = mkdtempSync(join(tmpdir(), 'stampede-console-'));
  let built: { script: string; styles: string };

  beforeAll(async () => {
    built = await buildConsole(consoleDir);
    platform = await startTestPlatform({ replicas: { entry: 1, payment: 1 }, shift: 150,
      env: {
        ADMIN_EMAIL: adminEmail,
        ADMIN_PASSWORD: adminPassword,
        // One proxy in front, as in the chart: its X-Forwarded-Proto says whether the browser came over HTTPS.
        TRUST_PROXY_HOPS: '1',
        // Three wrong passwords on an account and its logins need a proof of work (small here).
        LOGIN_PROOF_AFTER_ACCOUNT_FAILURES: '3',
        LOGIN_PROOF_BITS: '8',
        CONSOLE_DIR: consoleDir,
      },
    });
    gw = platform.gateway;
    shopper = await signUpAndLogin(gw, 'browser');
  }, 120_000);
  afterAll(() => platform?.stop());

  /** A fresh CSRF token and the Cookie header a browser would then send. */
  async function csrf(): Promise<{ token: string; cookie: string }> {
    const res = await http('POST', `${gw}/csrf/token`);
    expect(res.status).toBe(200);
    return { token: res.body.token as string, cookie: `__csrf_token=${valueOf(setCookies(res.headers).__csrf_token)}` };
  }

  async function signIn(email: string, password: string, headers: Record<string, string> = {}) {
    const c = await csrf();
    const res = await http('POST', `${gw}/browser/session`, { body: { email, password }, headers: { ...headers, 'x-csrf-token': c.token, cookie: c.cookie } });
    const cookies = setCookies(res.headers);
    const jar = `${c.cookie}; stampede_access=${valueOf(cookies.stampede_access)}; stampede_refresh=${valueOf(cookies.stampede_refresh)}`;
    return { res, cookies, jar, csrfToken: c.token };
  }

  it('when a browser signs in, then the tokens are set as HttpOnly SameSite=Strict cookies and never appear in the JSON', async () => {
    const { res, cookies, jar } = await signIn(shopper.email, shopper.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ expiresIn: expect.any(Number), roles: ['USER'], userId: shopper.userId });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(valueOf(cookies.stampede_access));
    expect(text).not.toContain(valueOf(cookies.stampede_refresh));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(cookies.stampede_access).toMatch(/; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(cookies.stampede_refresh).toMatch(/; Path=\/browser\/session\/refresh; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    // The access cookie is what the gateway reads: a read needs no CSRF token.
    const me = await http('GET', `${gw}/users/${shopper.userId}`, { headers: { cookie: jar } });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(shopper.userId);
  });

  it('when the browser came over HTTPS (the trusted proxy says so), then the cookies (the CSRF token\'s too) are Secure as well', async () => {
    const token = await http('POST', `${gw}/csrf/token`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(setCookies(token.headers).__csrf_token).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    const { res, cookies } = await signIn(shopper.email, shopper.password, { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(cookies.stampede_access).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    expect(cookies.stampede_refresh).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('when auth asks for a proof of work, then the 428 and its challenge pass through, and a sign-in with the solved proof sets the cookies', async () => {
    const guessed = await signUpAndLogin(gw, 'guessed');
    for (let i = 0; i < 3; i++) expect((await call('POST', `${gw}/auth/login`, { body: { email: guessed.email, password: `wrong-${i}-password` } })).status).toBe(401);
    const asked = await signIn(guessed.email, guessed.password);
    expect(asked.res.status).toBe(428);
    expect(asked.res.body.error.code).toBe('PROOF_OF_WORK_REQUIRED');
    expect(asked.cookies.stampede_access).toBeUndefined();
    const { challenge, bits } = asked.res.body.error.details as { challenge: string; bits: number };
    expect(bits).toBe(8);
    const c = await csrf();
    const proved = await http('POST', `${gw}/browser/session`, {
      body: { email: guessed.email, password: guessed.password, proof: solveLoginProof(challenge, bits) },
      headers: { 'x-csrf-token': c.token, cookie: c.cookie },
    });
    expect(proved.status).toBe(200);
    expect(proved.body.userId).toBe(guessed.userId);
    expect(setCookies(proved.headers).stampede_access).toMatch(/^stampede_access=ey/);
  });

  it('serves the console: the page revalidated on every visit, its hashed assets cached a year, under the CSP', async () => {
    const redirect = await fetch(`${gw}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
    const page = await fetch(`${gw}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' https://js.tosspayments.com");
    const html = await page.text();
    expect(html).toBe(readFileSync(join(consoleDir, 'index.html'), 'utf8'));
    // Scripts only from files: no inline script, no inline handler, no style attribute.
    expect(html).toMatch(new RegExp(`<script type="module" src="/console/assets/${built.script}"></script>`));
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=|<style/i);
    for (const asset of [built.script, built.styles]) {
      const res = await fetch(`${gw}/console/assets/${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${gw}/console/assets/main-NOTBUILT.js`)).status).toBe(404);
  });

  it('when the password is wrong, then 401 as from auth and no cookie is set', async () => {
    const { res, cookies } = await signIn(shopper.email, 'not-the-password-1');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
    expect(cookies.stampede_access).toBeUndefined();
  });

  it('when sign-in comes without the CSRF pair, then 403 CSRF_INVALID and no session is opened', async () => {
    const res = await http('POST', `${gw}/browser/session`, { body: { email: shopper.email, password: shopper.password } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_INVALID');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('when a cookie call changes state without the CSRF header, then 403 CSRF_INVALID and nothing changes; with it, the change is made', async () => {
    const op = await signIn(adminEmail, adminPassword);
    expect(op.res.status).toBe(200);
    // Signing the admin in here ends its other session: it reads through its cookie (a read needs no CSRF token).
    const before = await http('GET', `${gw}/sales?limit=100`, { headers: { cookie: op.jar } });
    const sale = {
      name: 'Cookie sale',
      product: { sku: `CK-${randomBytes(3).toString('hex')}`, name: 'Seat' },
      unitPrice: 1000,
      stock: 2,
      perUserLimit: 1,
      opensAt: new Date(Date.now() + 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      holdTtlSeconds: 60,
    };
    const refused = await http('POST', `${gw}/sales`, { body: sale, headers: { cookie: op.jar } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('CSRF_INVALID');
    // A header that is not the cookie's token is refused the same way.
    const forged = await http('POST', `${gw}/sales`, { body: sale, headers: { cookie: op.jar, 'x-csrf-token': (await csrf()).token } });
    expect(forged.status).toBe(403);
    const after = await http('GET', `${gw}/sales?limit=100`, { headers: { cookie: op.jar } });
    expect(after.body.total).toBe(before.body.total);

    const made = await http('POST', `${gw}/sales`, { body: sale, headers: { cookie: op.jar, 'x-csrf-token': op.csrfToken } });
    expect(made.status).toBe(201);
    const listed = await http('GET', `${gw}/sales?limit=100`, { headers: { cookie: op.jar } });
    expect(listed.body.total).toBe(before.body.total + 1);
  });

  it('when the session is refreshed, then both cookies rotate and the old refresh token no longer works', async () => {
    const s = await signIn(shopper.email, shopper.password);
    const refreshed = await http('POST', `${gw}/browser/session/refresh`, { headers: { cookie: s.jar, 'x-csrf-token': s.csrfToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.userId).toBe(shopper.userId);
    const cookies = setCookies(refreshed.headers);
    expect(valueOf(cookies.stampede_refresh)).not.toBe(valueOf(s.cookies.stampede_refresh));
    expect(valueOf(cookies.stampede_access)).toMatch(/^ey/);
    // Replaying the used refresh token is reuse: refused, and the browser is told to forget it.
    const replay = await http('POST', `${gw}/browser/session/refresh`, { headers: { cookie: s.jar, 'x-csrf-token': s.csrfToken } });
    expect(replay.status).toBe(401);
    expect(setCookies(replay.headers).stampede_refresh).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('when a browser signs out, then the cookies are cleared and the session no longer works; without the CSRF header nothing happens', async () => {
    const s = await signIn(shopper.email, shopper.password);
    const refused = await http('DELETE', `${gw}/browser/session`, { headers: { cookie: s.jar } });
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await http('GET', `${gw}/users/${shopper.userId}`, { headers: { cookie: s.jar } })).status).toBe(200);

    const out = await http('DELETE', `${gw}/browser/session`, { headers: { cookie: s.jar, 'x-csrf-token': s.csrfToken } });
    expect(out.status).toBe(204);
    const cleared = setCookies(out.headers);
    expect(cleared.stampede_access).toMatch(/^stampede_access=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(cleared.stampede_refresh).toMatch(/^stampede_refresh=; Path=\/browser\/session\/refresh; Expires=Thu, 01 Jan 1970/);
    // The old access token is dead at the gateway too (its session ended at auth).
    const after = await http('GET', `${gw}/users/${shopper.userId}`, { headers: { cookie: s.jar } });
    expect(after.status).toBe(401);
  });
});

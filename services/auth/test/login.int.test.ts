import { solveLoginProof } from '@stampede/contracts';
import { http } from '@stampede/devkit';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { clientIp, login, newUser, PASSWORD, signUp, startAuth, uniqueEmail, whoAmI, type AuthUnderTest } from './support';

// The request id is echoed in the body; the same one on both requests makes bodies comparable.
const sameRequestId = { 'x-request-id': 'enumeration-probe' };

describe('login, logout and the session policy', () => {
  let auth: AuthUnderTest;
  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(() => auth?.stop());

  it('when the password is right, then 200 with an ES256 access token carrying sub, roles, sid, iss, aud, uca and a 15-minute expiry', async () => {
    const u = await signUp(auth.url);
    const res = await login(auth.url, u.email.toUpperCase());
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken']);
    expect(res.body.expiresIn).toBe(900);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const header = decodeProtectedHeader(res.body.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', kid: auth.keys[0]!.kid });
    const claims = decodeJwt(res.body.accessToken);
    expect(claims).toMatchObject({ sub: u.id, roles: ['USER'], iss: 'stampede-auth', aud: 'stampede' });
    expect(typeof claims.sid).toBe('string');
    expect(typeof claims.uca).toBe('number');
    expect(claims.exp! - claims.iat!).toBe(900);
    expect((await whoAmI(auth.url, u.id, res.body.accessToken)).status).toBe(200);
  });

  it('when the password is wrong or the email unknown, then the two 401 bodies are byte-identical', async () => {
    const u = await signUp(auth.url);
    const ip = clientIp();
    const wrong = await fetch(`${auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...sameRequestId },
      body: JSON.stringify({ email: u.email, password: 'wrong-password-1' }),
    });
    const unknown = await fetch(`${auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...sameRequestId },
      body: JSON.stringify({ email: uniqueEmail('nobody'), password: 'wrong-password-1' }),
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toBe(b);
    expect(JSON.parse(a).error.code).toBe('AUTH_REQUIRED');
  });

  it('when the email is unknown, then the answer takes about as long as a wrong password (argon2 runs either way)', async () => {
    const u = await signUp(auth.url);
    const time = async (email: string) => {
      const t = process.hrtime.bigint();
      expect((await login(auth.url, email, 'wrong-password-1')).status).toBe(401);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(u.email));
      unknown.push(await time(uniqueEmail('ghost')));
    }
    // Without the dummy hash an unknown email answers in ~1 ms against tens of ms for argon2.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it('when one address fails 5 times on an account, then its 6th attempt gets 429 with Retry-After, and the right password from another address signs in', async () => {
    const u = await signUp(auth.url);
    const attacker = clientIp();
    for (let i = 0; i < 5; i++) expect((await login(auth.url, u.email, `wrong-password-${i}`, attacker)).status).toBe(401);
    const sixth = await login(auth.url, u.email, PASSWORD, attacker);
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // The attacker's budget is the attacker's: the owner is not locked out.
    expect((await login(auth.url, u.email, PASSWORD, clientIp())).status).toBe(200);
  });

  it('when 20 wrong guesses for one account arrive at once from one address, then at most 5 are checked and the rest get 429', async () => {
    const u = await signUp(auth.url);
    const ip = clientIp();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => login(auth.url, u.email, `guess-number-${i}`, ip)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('when a successful login follows failures from one address, then that address\'s count starts again', async () => {
    const u = await signUp(auth.url);
    const ip = clientIp();
    for (let i = 0; i < 4; i++) expect((await login(auth.url, u.email, `wrong-${i}-xyz`, ip)).status).toBe(401);
    expect((await login(auth.url, u.email, PASSWORD, ip)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(auth.url, u.email, `wrong-${i}-abc`, ip)).status).toBe(401);
    expect((await login(auth.url, u.email, PASSWORD, ip)).status).toBe(200);
  });

  describe('an account guessed at from many addresses', () => {
    // A small difficulty keeps the suite quick; the mechanism is the same at the default 18 bits.
    let guarded: AuthUnderTest;
    beforeAll(async () => {
      guarded = await startAuth({ LOGIN_PROOF_AFTER_ACCOUNT_FAILURES: '10', LOGIN_PROOF_BITS: '12' });
    });
    afterAll(() => guarded?.stop());

    const attack = async (email: string, guesses: number) => {
      const statuses = [];
      for (let i = 0; i < guesses; i++) statuses.push((await login(guarded.url, email, `attacker-guess-${i}`, clientIp())).status);
      return statuses;
    };

    it('when an attacker sends 50 wrong passwords from other addresses, then the victim signs in from a clean address after one proof of work, never a 429', async () => {
      const victim = await signUp(guarded.url);
      const statuses = await attack(victim.email, 50);
      // Ten guesses are checked; after that every guess is asked for a proof it does not bring.
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.filter((s) => s === 428)).toHaveLength(40);
      expect(statuses).not.toContain(429);

      const started = Date.now();
      const victimIp = clientIp();
      const asked = await login(guarded.url, victim.email, PASSWORD, victimIp);
      expect(asked.status).toBe(428);
      expect(asked.body.error.code).toBe('PROOF_OF_WORK_REQUIRED');
      const { challenge, bits } = asked.body.error.details as { challenge: string; bits: number };
      expect(bits).toBe(12);
      const proof = solveLoginProof(challenge, bits);
      const signedIn = await http('POST', `${guarded.url}/auth/login`, { body: { email: victim.email, password: PASSWORD, proof }, headers: { 'x-forwarded-for': victimIp } });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.accessToken).toEqual(expect.any(String));
      process.stdout.write(`[login] victim signed in ${Date.now() - started} ms after the attack (one ${bits}-bit proof)\n`);
    });

    it('when a proof is reused, made for another account, forged or too weak, then it is refused and nothing is checked', async () => {
      const a = await signUp(guarded.url);
      const b = await signUp(guarded.url);
      await attack(a.email, 10);
      await attack(b.email, 10);
      const ip = clientIp();
      const send = (email: string, proof: { challenge: string; nonce: string }, password = PASSWORD) =>
        http('POST', `${guarded.url}/auth/login`, { body: { email, password, proof }, headers: { 'x-forwarded-for': ip } });
      const challengeFor = async (email: string) => (await login(guarded.url, email, PASSWORD, ip)).body.error.details as { challenge: string; bits: number };

      const ca = await challengeFor(a.email);
      const good = solveLoginProof(ca.challenge, ca.bits);
      // For another account: refused, and b's password was never checked (b still signs in).
      const other = await send(b.email, good);
      expect(other.status).toBe(428);
      expect(other.body.error.details.rejected).toBe('other-account');
      // Forged: a challenge with its MAC changed.
      const forged = await send(a.email, { ...good, challenge: good.challenge.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
      expect(forged.body.error.details.rejected).toBe('forged');
      // Too weak: a nonce that does not meet the difficulty.
      const weak = await send(a.email, { challenge: good.challenge, nonce: 'not-a-solution' });
      expect([weak.status, weak.body.error.details.rejected]).toEqual([428, 'too-weak']);
      // The right proof works once; the same proof again is asked for a new one.
      expect((await send(a.email, good)).status).toBe(200);
      const again = await send(a.email, good);
      expect(again.status).toBe(428);
      expect(again.body.error.details.rejected).toBeUndefined();
      const cb = await challengeFor(b.email);
      expect((await send(b.email, solveLoginProof(cb.challenge, cb.bits))).status).toBe(200);
    });

    it('when the attack goes on past the ceiling, then each further guess costs its attacker a proof, and a wrong password with a valid proof is still 401', async () => {
      const victim = await signUp(guarded.url);
      await attack(victim.email, 10);
      const ip = clientIp();
      const asked = await login(guarded.url, victim.email, 'still-guessing', ip);
      expect(asked.status).toBe(428);
      const { challenge, bits } = asked.body.error.details as { challenge: string; bits: number };
      const guess = await http('POST', `${guarded.url}/auth/login`, {
        body: { email: victim.email, password: 'still-guessing', proof: solveLoginProof(challenge, bits) },
        headers: { 'x-forwarded-for': ip },
      });
      expect(guess.status).toBe(401);
      expect(guess.body.error.code).toBe('AUTH_REQUIRED');
    });
  });

  it('when one IP spends its failures across many accounts, then that IP gets 429 and others do not', async () => {
    const limited = await startAuth({ LOGIN_MAX_FAILURES_PER_IP: '3' });
    try {
      const ip = clientIp();
      for (let i = 0; i < 3; i++) expect((await login(limited.url, uniqueEmail('spray'), 'wrong-password-1', ip)).status).toBe(401);
      const blocked = await login(limited.url, uniqueEmail('spray'), 'wrong-password-1', ip);
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('retry-after')).toBeTruthy();
      const u = await signUp(limited.url);
      expect((await login(limited.url, u.email, PASSWORD, clientIp())).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('when the user logs out, then the same access token is rejected on the next request and its refresh token is dead', async () => {
    const u = await newUser(auth.url);
    expect((await whoAmI(auth.url, u.id, u.accessToken)).status).toBe(200);
    expect((await http('POST', `${auth.url}/auth/logout`, { token: u.accessToken })).status).toBe(204);
    const after = await whoAmI(auth.url, u.id, u.accessToken);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTH_REQUIRED');
    expect((await http('POST', `${auth.url}/auth/logout`, { token: u.accessToken })).status).toBe(401);
    const refreshed = await http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken: u.refreshToken } });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.error.code).toBe('AUTH_REQUIRED');
  });

  it('when the user logs in a second time, then the first session is revoked (one session per user by default)', async () => {
    const u = await newUser(auth.url);
    const second = await login(auth.url, u.email);
    expect(second.status).toBe(200);
    expect((await whoAmI(auth.url, u.id, u.accessToken)).status).toBe(401);
    expect((await whoAmI(auth.url, u.id, second.body.accessToken)).status).toBe(200);
    expect((await http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken: u.refreshToken } })).status).toBe(401);
  });

  it('when MAX_SESSIONS_PER_USER is 2, then a third login evicts only the oldest session', async () => {
    const multi = await startAuth({ MAX_SESSIONS_PER_USER: '2' });
    try {
      const u = await signUp(multi.url);
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++) tokens.push((await login(multi.url, u.email)).body.accessToken);
      const statuses = await Promise.all(tokens.map(async (t) => (await whoAmI(multi.url, u.id, t)).status));
      expect(statuses).toEqual([401, 200, 200]);
    } finally {
      await multi.stop();
    }
  });

  it('when 5 logins for one user race, then exactly one session survives', async () => {
    const u = await signUp(auth.url);
    // 5, not more: attempts in flight hold a point of the account's limit until they succeed.
    const results = await Promise.all(Array.from({ length: 5 }, () => login(auth.url, u.email)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const live = await Promise.all(results.map(async (r) => (await whoAmI(auth.url, u.id, r.body.accessToken)).status));
    expect(live.filter((s) => s === 200)).toHaveLength(1);
  });

  it('when the login body is malformed, then 400 naming the field', async () => {
    const res = await http('POST', `${auth.url}/auth/login`, { body: { email: 'x', password: '' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'password']);
  });
});

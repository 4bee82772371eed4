import { createPrivateKey, randomUUID } from 'node:crypto';
import { http } from '@stampede/devkit';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import { startOtherService } from './other-service';
import { login, newSigningKey, newUser, startAuth, type AuthUnderTest } from './support';

const whoami = (url: string, token: string) => http('GET', `${url}/whoami`, { token });

/** Signs claims as auth would, with a key and options the test chooses. */
function sign(jwk: JWK & { kid: string }, claims: Record<string, unknown>, o: { aud?: string; exp?: number; iss?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
    .setIssuer(o.iss ?? 'stampede-auth')
    .setAudience(o.aud ?? 'stampede')
    .setIssuedAt(now - 10)
    .setExpirationTime(o.exp ?? now + 900)
    .sign(createPrivateKey({ key: jwk as never, format: 'jwk' }));
}

describe('access tokens verified elsewhere with only the JWKS', () => {
  let auth: AuthUnderTest;
  let other: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    auth = await startAuth();
    other = await startOtherService(`${auth.url}/.well-known/jwks.json`);
  });
  afterAll(async () => {
    await other?.stop();
    await auth?.stop();
  });

  it('publishes only public keys, with kid, alg and use', async () => {
    const res = await http('GET', `${auth.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    const [key] = res.body.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', kid: auth.keys[0]!.kid, alg: 'ES256', use: 'sig' });
    expect(key.d).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(auth.keys[0]!.d!);
  });

  it("when a login's access token reaches another service, then it is accepted with the user's id, roles and session", async () => {
    const u = await newUser(auth.url);
    const res = await whoami(other.url, u.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: u.id, roles: ['USER'], sessionId: u.sid });
    expect(typeof res.body.accountCreatedAt).toBe('number');
  });

  describe('forged and stale tokens, each on a live session, are rejected with 401 AUTH_REQUIRED', () => {
    let u: Awaited<ReturnType<typeof newUser>>;
    let claims: Record<string, unknown>;
    beforeAll(async () => {
      u = await newUser(auth.url);
      const { sub, sid, roles, uca } = decodeJwt(u.accessToken);
      claims = { sub, sid, roles, uca };
    });

    const expect401 = async (token: string) => {
      const res = await whoami(other.url, token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_REQUIRED');
    };

    it('control: the same claims signed properly are accepted (so each rejection below is about the token)', async () => {
      expect((await whoami(other.url, await sign(auth.keys[0]!, claims))).status).toBe(200);
    });

    it('a tampered payload (USER raised to ADMIN, signature kept)', async () => {
      const [h, p, s] = u.accessToken.split('.');
      const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p!)));
      payload.roles = ['ADMIN'];
      await expect401(`${h}.${base64url.encode(JSON.stringify(payload))}.${s}`);
    });

    it('alg: none', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid: auth.keys[0]!.kid }));
      const payload = base64url.encode(JSON.stringify({ ...claims, iss: 'stampede-auth', aud: 'stampede', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 900 }));
      await expect401(`${header}.${payload}.`);
      await expect401(`${header}.${payload}.${u.accessToken.split('.')[2]}`);
    });

    it('an unknown kid', async () => {
      await expect401(await sign(newSigningKey('not-published'), claims));
    });

    it('the right kid with a key that is not the published one', async () => {
      await expect401(await sign(newSigningKey(auth.keys[0]!.kid), claims));
    });

    it('a wrong audience', async () => {
      await expect401(await sign(auth.keys[0]!, claims, { aud: 'somebody-else' }));
    });

    it('a wrong issuer', async () => {
      await expect401(await sign(auth.keys[0]!, claims, { iss: 'evil-auth' }));
    });

    it('an expired token', async () => {
      await expect401(await sign(auth.keys[0]!, claims, { exp: Math.floor(Date.now() / 1000) - 60 }));
    });

    it('a session that does not exist', async () => {
      await expect401(await sign(auth.keys[0]!, { ...claims, sid: randomUUID() }));
    });
  });
});

describe('signing-key rotation', () => {
  const oldKey = newSigningKey('old-key');
  const newKey = newSigningKey('new-key');

  it('after rotating, new tokens carry the new kid, old tokens keep working, and a removed key\'s tokens fail', async () => {
    const before = await startAuth({}, { keys: [oldKey] });
    let user: Awaited<ReturnType<typeof newUser>>;
    try {
      user = await newUser(before.url);
      expect(decodeProtectedHeader(user.accessToken).kid).toBe('old-key');
    } finally {
      await before.stop();
    }

    // Rotation: the new key is prepended, the old one stays published until its tokens expire.
    const rotated = await startAuth({ MAX_SESSIONS_PER_USER: '2' }, { keys: [newKey, oldKey] });
    const otherAfterRotation = await startOtherService(`${rotated.url}/.well-known/jwks.json`);
    try {
      const jwks = await http('GET', `${rotated.url}/.well-known/jwks.json`);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual(['new-key', 'old-key']);
      const fresh = await login(rotated.url, user.email);
      expect(decodeProtectedHeader(fresh.body.accessToken).kid).toBe('new-key');
      expect((await whoami(otherAfterRotation.url, fresh.body.accessToken)).status).toBe(200);
      expect((await whoami(otherAfterRotation.url, user.accessToken)).status).toBe(200);
      // A refresh after rotation signs with the new key too.
      const refreshed = await http('POST', `${rotated.url}/auth/refresh`, { body: { refreshToken: user.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(decodeProtectedHeader(refreshed.body.accessToken).kid).toBe('new-key');
    } finally {
      await otherAfterRotation.stop();
      await rotated.stop();
    }

    // The old key is removed: a token it signed (session still live) is rejected everywhere.
    const retired = await startAuth({ MAX_SESSIONS_PER_USER: '3' }, { keys: [newKey] });
    const otherAfterRemoval = await startOtherService(`${retired.url}/.well-known/jwks.json`);
    try {
      const stillLive = await login(retired.url, user.email);
      expect((await whoami(otherAfterRemoval.url, stillLive.body.accessToken)).status).toBe(200);
      const oldToken = await sign(oldKey, { ...decodeJwt(stillLive.body.accessToken) });
      const res = await whoami(otherAfterRemoval.url, oldToken);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_REQUIRED');
      expect((await http('GET', `${retired.url}/users/${user.id}`, { token: oldToken })).status).toBe(401);
    } finally {
      await otherAfterRemoval.stop();
      await retired.stop();
    }
  });
});

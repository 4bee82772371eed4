import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@stampede/devkit';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import { startAuth, whoAmI, type AuthUnderTest } from './support';

const PROVIDERS = ['google', 'apple', 'kakao'] as const;
type Provider = (typeof PROVIDERS)[number];

interface FakeProvider {
  issuer: string;
  clientId: string;
  kid: string;
  key: CryptoKey;
}

/** One local server plays the three providers' JWKS endpoints, counting fetches. */
async function startJwksServer(jwks: Record<Provider, JWK[]>) {
  const fetches: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const provider = req.url?.slice(1).replace('/jwks', '') as Provider;
    fetches[provider] = (fetches[provider] ?? 0) + 1;
    if (!jwks[provider]) {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: jwks[provider] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, fetches, stop: () => new Promise((r) => server.close(r)) };
}

describe('social login (POST /auth/social/:provider)', () => {
  const fake = {} as Record<Provider, FakeProvider>;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let auth: AuthUnderTest;

  beforeAll(async () => {
    const published = {} as Record<Provider, JWK[]>;
    for (const p of PROVIDERS) {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = `${p}-${randomUUID().slice(0, 6)}`;
      fake[p] = { issuer: `https://issuer.${p}.test`, clientId: `stampede-${p}-client`, kid, key: privateKey };
      published[p] = [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }];
    }
    jwks = await startJwksServer(published);
    const env: Record<string, string> = { SOCIAL_JWKS_COOLDOWN_MS: '60000' };
    for (const p of PROVIDERS) {
      const P = p.toUpperCase();
      env[`SOCIAL_${P}_CLIENT_IDS`] = `other-client,${fake[p].clientId}`;
      env[`SOCIAL_${P}_ISSUERS`] = fake[p].issuer;
      env[`SOCIAL_${P}_JWKS_URL`] = `${jwks.base}/${p}/jwks`;
    }
    auth = await startAuth(env);
  });
  afterAll(async () => {
    await auth?.stop();
    await jwks?.stop();
  });

  function idToken(p: Provider, o: { sub?: string; iss?: string; aud?: string; exp?: number; key?: CryptoKey; kid?: string; claims?: Record<string, unknown> } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...o.claims })
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? fake[p].kid })
      .setSubject(o.sub ?? `subject-${randomUUID()}`)
      .setIssuer(o.iss ?? fake[p].issuer)
      .setAudience(o.aud ?? fake[p].clientId)
      .setIssuedAt(now - 5)
      .setExpirationTime(o.exp ?? now + 600)
      .sign(o.key ?? fake[p].key);
  }

  const social = (p: string, body: unknown) => http('POST', `${auth.url}/auth/social/${p}`, { body });

  describe.each(PROVIDERS)('%s', (p) => {
    it('when the id_token is valid, then the account is created on first login and found again on the next', async () => {
      const sub = `subject-${randomUUID()}`;
      const first = await social(p, { idToken: await idToken(p, { sub, claims: { email: `${sub}@mail.test`, email_verified: true } }) });
      expect(first.status).toBe(201);
      expect(first.headers.get('cache-control')).toBe('no-store');
      const userId = String(decodeJwt(first.body.accessToken).sub);
      const me = await whoAmI(auth.url, userId, first.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body.identities).toEqual([{ provider: p, email: p === 'kakao' ? null : `${sub}@mail.test`, linkedAt: expect.any(String) }]);
      expect(me.body.email).toBeNull();

      const second = await social(p, { idToken: await idToken(p, { sub }) });
      expect(second.status).toBe(200);
      expect(decodeJwt(second.body.accessToken).sub).toBe(userId);
      expect((await http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken: second.body.refreshToken } })).status).toBe(200);
    });

    it('when the same subject logs in with another provider, then that is a different account', async () => {
      const sub = `shared-${randomUUID()}`;
      const other = PROVIDERS.find((x) => x !== p)!;
      const a = await social(p, { idToken: await idToken(p, { sub }) });
      const b = await social(other, { idToken: await idToken(other, { sub }) });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(decodeJwt(a.body.accessToken).sub).not.toBe(decodeJwt(b.body.accessToken).sub);
    });

    it.each([
      ['a wrong issuer', { iss: 'https://evil.test' }],
      ['a wrong audience', { aud: 'someone-elses-client' }],
      ['an expired token', { exp: Math.floor(Date.now() / 1000) - 120 }],
    ])('when the id_token has %s, then 401 and no account is created', async (_what, o) => {
      const sub = `rejected-${randomUUID()}`;
      const res = await social(p, { idToken: await idToken(p, { sub, ...o }) });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_REQUIRED');
      // The same subject with a good token is a first login (201): nothing was created before.
      expect((await social(p, { idToken: await idToken(p, { sub }) })).status).toBe(201);
    });

    it('when the signature is bad (another key under the published kid), then 401', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const res = await social(p, { idToken: await idToken(p, { key: privateKey }) });
      expect(res.status).toBe(401);
      const [h, body] = (await idToken(p)).split('.');
      const tampered = await social(p, { idToken: `${h}.${body}.${'A'.repeat(342)}` });
      expect(tampered.status).toBe(401);
    });

    it('when a nonce is given, then the token must carry it', async () => {
      const nonce = randomUUID();
      const withNonce = await idToken(p, { claims: { nonce } });
      expect((await social(p, { idToken: withNonce, nonce: 'another-nonce' })).status).toBe(401);
      expect((await social(p, { idToken: await idToken(p), nonce })).status).toBe(401);
      expect((await social(p, { idToken: withNonce, nonce })).status).toBe(201);
    });
  });

  it('apple: a token carrying SHA-256 of the raw nonce matches the raw nonce', async () => {
    const raw = randomUUID();
    const hashed = createHash('sha256').update(raw).digest('hex');
    expect((await social('apple', { idToken: await idToken('apple', { claims: { nonce: hashed } }), nonce: raw })).status).toBe(201);
  });

  it('when five first logins of one subject race, then one account is created and all five get it', async () => {
    const sub = `racer-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 5 }, async () => social('google', { idToken: await idToken('google', { sub }) })));
    expect(results.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => decodeJwt(r.body.accessToken).sub)).size).toBe(1);
  });

  it('when the kid is unknown, then 401 and the JWKS is refetched at most once per cool-down', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const before = jwks.fetches.google ?? 0;
    for (let i = 0; i < 5; i++) {
      const res = await social('google', { idToken: await idToken('google', { key: privateKey, kid: `rotated-${i}` }) });
      expect(res.status).toBe(401);
    }
    expect((jwks.fetches.google ?? 0) - before).toBeLessThanOrEqual(1);
  });

  it('when the provider is unknown, then 400 naming the provider', async () => {
    const res = await social('facebook', { idToken: await idToken('google') });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.details.fields[0].field).toBe('provider');
  });

  it('when the id_token is missing, then 400 naming idToken', async () => {
    const res = await social('google', {});
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('idToken');
  });

  it('when a known provider is not configured, then 400 naming the provider', async () => {
    const bare = await startAuth();
    try {
      const res = await http('POST', `${bare.url}/auth/social/kakao`, { body: { idToken: await idToken('kakao') } });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].field).toBe('provider');
    } finally {
      await bare.stop();
    }
  });
});

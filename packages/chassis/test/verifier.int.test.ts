import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { createVerifier } from '../src/auth';
import { sessionKey } from '@stampede/contracts';
import { startTestIssuer, type TestIssuer } from '@stampede/devkit';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer.stop();
});

/** The issuer's key set, and a count of the signature checks a verifier made with it. */
function countingKeys(): { keySet: JWTVerifyGetKey; counted: () => void; checks: () => number } {
  let n = 0;
  return { keySet: createRemoteJWKSet(new URL(issuer.jwksUrl)), counted: () => void n++, checks: () => n };
}

const verifier = (keys: ReturnType<typeof countingKeys>, verifiedTtlMs?: number) =>
  createVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, redis: issuer.redis, keySet: keys.keySet, onSignatureCheck: keys.counted, verifiedTtlMs });

describe('access-token verifier: tokens already verified', () => {
  it('when the same token comes again, then its signature is not checked again but its session still is (logout is immediate)', async () => {
    const keys = countingKeys();
    const v = verifier(keys);
    const u = await issuer.user(['USER']);
    const first = await v.verify(u.token);
    const second = await v.verify(u.token);
    expect(second).toEqual(first);
    expect(second.userId).toBe(u.userId);
    expect(keys.checks()).toBe(1);

    const sid = (JSON.parse(Buffer.from(u.token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    await issuer.redis.del(sessionKey(u.userId, sid));
    await expect(v.verify(u.token)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('when a remembered token is altered by one character, then the altered one is checked and refused', async () => {
    const keys = countingKeys();
    const v = verifier(keys);
    const u = await issuer.user(['USER']);
    await v.verify(u.token);
    const [h, p, s] = u.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const raised = Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'] })).toString('base64url');
    await expect(v.verify(`${h}.${raised}.${s}`)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(keys.checks()).toBe(2);
  });

  it('when a caller changes the principal it got, then the next answer for the token is unchanged', async () => {
    const v = verifier(countingKeys());
    const u = await issuer.user(['USER']);
    const got = await v.verify(u.token);
    got.roles.push('ADMIN');
    expect((await v.verify(u.token)).roles).toEqual(['USER']);
  });

  it('when the token expires, then it is checked again rather than trusted from memory', async () => {
    const keys = countingKeys();
    const v = verifier(keys);
    const token = await issuer.token({ ttlSeconds: 1 });
    await v.verify(token);
    await new Promise((r) => setTimeout(r, 1_100));
    // Memory no longer vouches for it: the signature and expiry are checked again (and its session is gone).
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(keys.checks()).toBe(2);
  });

  it('when remembering is off, then every call checks the signature', async () => {
    const keys = countingKeys();
    const v = verifier(keys, 0);
    const u = await issuer.user(['USER']);
    await v.verify(u.token);
    await v.verify(u.token);
    expect(keys.checks()).toBe(2);
  });
});

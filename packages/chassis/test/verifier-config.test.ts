import type { Cluster } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { parseIdentityKeys, signIdentity } from '@stampede/contracts';
import { verifierFromConfig } from '../src/auth';

// The identity-header path makes no Redis call (the gateway checked the session), so no store.
const noRedis = {} as Cluster;
const keys = parseIdentityKeys(`k1:${randomBytes(32).toString('base64url')}`);
const settings = { AUTH_JWKS_URL: 'http://auth.invalid/.well-known/jwks.json', AUTH_ISSUER: 'stampede-auth', AUTH_AUDIENCE: 'stampede', INTERNAL_IDENTITY_KEYS: keys };
const req = { method: 'POST', path: '/sales/s1/entries', body: Buffer.from('{}') };
const who = { userId: 'u1', roles: ['USER' as const], sessionId: 's1' };

function recordingLogger() {
  const lines: { obj: object; msg: string }[] = [];
  return { lines, warn: (obj: object, msg: string) => void lines.push({ obj, msg }) };
}

describe('a verifier built from a service settings', () => {
  it('when neither a JWKS URL nor a key set is given, then building it fails at start-up', () => {
    expect(() => verifierFromConfig({ AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }, noRedis, recordingLogger())).toThrow(/AUTH_JWKS_URL/);
  });

  it('when the gateway signs a header with the configured keys, then the principal is accepted', () => {
    const v = verifierFromConfig(settings, noRedis, recordingLogger());
    const header = signIdentity(keys, who, req, Date.now(), 5_000);
    expect(v.fromIdentity(header, req)).toMatchObject({ userId: 'u1', roles: ['USER'], sessionId: 's1' });
  });

  it('when a header is signed with another key, then it is refused and the log names the reason, never the header', () => {
    const log = recordingLogger();
    const v = verifierFromConfig(settings, noRedis, log);
    const other = parseIdentityKeys(`k1:${randomBytes(32).toString('base64url')}`);
    const forged = signIdentity(other, { ...who, roles: ['ADMIN'] }, req, Date.now(), 5_000);
    expect(() => v.fromIdentity(forged, req)).toThrow(expect.objectContaining({ code: 'AUTH_REQUIRED' }));
    expect(log.lines).toEqual([{ obj: { reason: 'forged' }, msg: 'identity header refused' }]);
    expect(JSON.stringify(log.lines)).not.toContain(forged.split('.')[2]);
  });

  it('when no identity keys are configured, then a well-signed header is still refused', () => {
    const v = verifierFromConfig({ ...settings, INTERNAL_IDENTITY_KEYS: undefined }, noRedis, recordingLogger());
    const header = signIdentity(keys, who, req, Date.now(), 5_000);
    expect(() => v.fromIdentity(header, req)).toThrow(expect.objectContaining({ code: 'AUTH_REQUIRED' }));
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '@stampede/chassis/config';
import { configShape } from '../src/config';
import { emailField, passwordField } from '@stampede/contracts/api';
import { passwordResemblesEmail } from '../src/domain/credentials';
import { newRefreshToken, refreshTokenHash, REFRESH_TOKEN_PATTERN } from '../src/domain/refresh-tokens';
import { loadKeyRing, signingKeysSetting } from '../src/domain/signing-keys';
import { adminSetting } from '../src/use-cases/admin';

const ecKey = (kid: string) => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid });
const edKey = (kid: string) => ({ ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), kid });
const baseEnv = { REDIS_NODES: '127.0.0.1:7000', DATABASE_URL: 'postgres://u:p@127.0.0.1/auth' };

function configProblem(keys: string | undefined): string {
  try {
    loadConfig(configShape, { ...baseEnv, ...(keys === undefined ? {} : { AUTH_SIGNING_KEYS: keys }) });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('configuration was accepted');
}

describe('AUTH_SIGNING_KEYS', () => {
  it('when it is missing, then start-up fails naming the variable', () => {
    expect(configProblem(undefined)).toMatch(/AUTH_SIGNING_KEYS: required/);
  });

  it('when it is not JSON, then the message says so without echoing the secret', () => {
    const message = configProblem('{"kty":"EC","d":"SECRET-MATERIAL"');
    expect(message).toMatch(/AUTH_SIGNING_KEYS: is not valid JSON/);
    expect(message).not.toContain('SECRET-MATERIAL');
  });

  it.each([
    ['an empty array', '[]', /at least one signing key/],
    ['a public key only', JSON.stringify([(({ d: _d, ...pub }) => pub)(ecKey('pub'))]), /private key/],
    ['a key without kid', JSON.stringify([(({ kid: _k, ...k }) => k)(ecKey('x'))]), /kid/],
    ['two keys with one kid', JSON.stringify([ecKey('same'), ecKey('same')]), /distinct kid/],
    ['an RSA key', JSON.stringify([{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'rsa' }]), /EC P-256 or OKP Ed25519/],
    ['a P-384 key', JSON.stringify([{ ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }), kid: 'p384' }]), /P-256/],
  ])('when it holds %s, then start-up fails naming the variable', (_what, value, problem) => {
    const message = configProblem(value);
    expect(message).toContain('AUTH_SIGNING_KEYS');
    expect(message).toMatch(problem);
  });

  it('when it holds an ES256 and an EdDSA key, then the first signs and both public halves (without d) are published', async () => {
    const config = loadConfig(configShape, { ...baseEnv, AUTH_SIGNING_KEYS: JSON.stringify([ecKey('new'), edKey('old')]) });
    const ring = await loadKeyRing(config.AUTH_SIGNING_KEYS);
    expect(ring.active).toMatchObject({ kid: 'new', alg: 'ES256' });
    expect(ring.jwks.keys.map((k) => [k.kid, k.alg, k.use])).toEqual([['new', 'ES256', 'sig'], ['old', 'EdDSA', 'sig']]);
    expect(ring.jwks.keys.every((k) => !('d' in k))).toBe(true);
  });

  it('when a key is well-formed but not a real key, then loading fails naming its kid', async () => {
    const broken = { ...ecKey('broken'), x: 'AAAA' };
    const [parsed] = signingKeysSetting.parse(JSON.stringify([broken]));
    await expect(loadKeyRing([parsed!])).rejects.toThrow(/AUTH_SIGNING_KEYS: key "broken"/);
  });
});

describe('initial ADMIN settings', () => {
  it('when neither is set, then there is no admin (never a default password)', () => {
    expect(adminSetting(undefined, undefined)).toBeUndefined();
  });

  it('when only one is set, then start-up fails naming the other', () => {
    expect(() => adminSetting('admin@example.test', undefined)).toThrow(/ADMIN_PASSWORD: required/);
    expect(() => adminSetting(undefined, 'Str0ng-enough-pass')).toThrow(/ADMIN_EMAIL: required/);
  });

  it('when the password is weak, then start-up fails naming ADMIN_PASSWORD without echoing it', () => {
    try {
      adminSetting('admin@example.test', 'admin');
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain('ADMIN_PASSWORD');
      expect((e as Error).message).not.toMatch(/: admin\b/);
    }
  });

  it('when both are valid, then the email is normalised', () => {
    expect(adminSetting(' Admin@Example.TEST ', 'Str0ng-enough-pass')).toEqual({ email: 'admin@example.test', password: 'Str0ng-enough-pass' });
  });
});

describe('credential rules', () => {
  it('normalises emails to lower case and trims them', () => {
    expect(emailField.parse('  Mixed.Case@Example.COM ')).toBe('mixed.case@example.com');
    expect(emailField.safeParse('no-at-sign').success).toBe(false);
  });

  it.each(['short1!', 'onlyletterslong', '1234567890123', 'aaaaaaaa11', 'x'.repeat(200) + '1'])('refuses the weak password %s', (p) => {
    expect(passwordField.safeParse(p).success).toBe(false);
  });

  it.each(['correct-horse-42', 'Tr0ub4dor&3xyz', '비밀번호는-길게-2024'])('accepts the password %s', (p) => {
    expect(passwordField.safeParse(p).success).toBe(true);
  });

  it('spots a password built from the email', () => {
    expect(passwordResemblesEmail('JohnSmith2024!', 'johnsmith@example.com')).toBe(true);
    expect(passwordResemblesEmail('correct-horse-42', 'johnsmith@example.com')).toBe(false);
  });
});

describe('refresh tokens', () => {
  it('are 256 random bits in base64url, stored as a SHA-256 hex digest', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(a).toMatch(REFRESH_TOKEN_PATTERN);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(refreshTokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(refreshTokenHash(a)).not.toContain(a);
  });
});

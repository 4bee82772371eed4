import { identityEnv } from './identity';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { StackContext } from '../services';

/**
 * The auth service's environment on the local stack. The signing key and the initial admin's
 * password are made fresh for every run (never committed, never reused) and shared by all auth
 * replicas; the admin's credentials go to .stampede/stack/secrets.json for the demo.
 */
export const authEnv = (ctx: StackContext): Record<string, string> => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `local-${randomBytes(4).toString('hex')}` };
  const adminEmail = 'admin@stampede.local';
  const adminPassword = `${randomBytes(18).toString('base64url')}-1`;
  ctx.secrets.adminEmail = adminEmail;
  ctx.secrets.adminPassword = adminPassword;
  return {
    REDIS_NODES: ctx.redisNodes,
    ...identityEnv,
    DATABASE_URL: ctx.databaseUrl('auth'),
    AUTH_SIGNING_KEYS: JSON.stringify([signingKey]),
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
  };
};

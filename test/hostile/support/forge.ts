import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';

/** An ES256 signing key for auth (passed as AUTH_SIGNING_KEYS), so the suite can forge with it. */
export function signingKey(): { jwk: JWK & { kid: string }; env: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: `hostile-${randomBytes(4).toString('hex')}` };
  return { jwk, env: JSON.stringify([jwk]) };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;

/** Re-signs a real token's claims with changes: everything right but the one thing under test. */
export async function resign(jwk: JWK & { kid: string }, token: string, change: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const claims = { ...claimsOf(token), ...change };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const key = await importJWK(jwk, 'ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: jwk.kid, ...header }).sign(key);
}

/** The classic: the same claims, `alg: none`, no signature. */
export const unsigned = (token: string, kid: string) => `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claimsOf(token))}.`;

/** Algorithm confusion: HS256 with the public key as the HMAC secret. */
export function hmacWithPublicKey(jwk: JWK & { kid: string }, token: string): string {
  const head = b64({ alg: 'HS256', typ: 'JWT', kid: jwk.kid });
  const body = b64(claimsOf(token));
  const secret = JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

export function webhookSignature(secret: string, timestamp: number, raw: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex')}`;
}

import type { PublicJwk } from '@stampede/contracts/api';
import { importJWK, type CryptoKey } from 'jose';
import { z } from 'zod';

/**
 * Signing keys come from configuration (a secret) as a JSON array of private JWKs. The first key
 * signs; the others are only published, so tokens they signed keep verifying until they expire.
 * Rotation = prepend a new key, and drop the old one after the access-token lifetime has passed.
 */
const ecKey = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256', { message: 'EC keys must use crv P-256 (ES256)' }),
  x: z.string().min(1),
  y: z.string().min(1),
});
const okpKey = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519', { message: 'OKP keys must use crv Ed25519 (EdDSA)' }),
  x: z.string().min(1),
});
const privateJwk = z
  .object({
    kid: z
      .string({ message: 'each key needs a kid' })
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'each kid must be 1-64 letters, digits, . _ -'),
    d: z.string({ message: 'each key must be a private key (member "d" is missing)' }).min(1),
  })
  .and(z.union([ecKey, okpKey], { message: 'expected an EC P-256 or OKP Ed25519 private JWK' }));

export type PrivateJwk = z.infer<typeof privateJwk>;

export const signingKeysSetting = z
  .string({ message: 'required: a JSON array of private JWKs (EC P-256 or Ed25519), each with a kid' })
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON (expected an array of private JWKs)' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(privateJwk, { message: 'expected a JSON array of private JWKs' })
      .min(1, 'at least one signing key is required')
      .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'every key needs a distinct kid'),
  );

interface SigningKey {
  kid: string;
  alg: 'ES256' | 'EdDSA';
  privateKey: CryptoKey | Uint8Array;
  publicJwk: PublicJwk;
}

export interface KeyRing {
  /** The key that signs new tokens. */
  active: SigningKey;
  /** The public half of every configured key, as served at /.well-known/jwks.json. */
  jwks: { keys: PublicJwk[] };
}

const algOf = (k: PrivateJwk): SigningKey['alg'] => (k.kty === 'EC' ? 'ES256' : 'EdDSA');

/** Imports every key; a key that does not import is a start-up failure naming its kid. */
export async function loadKeyRing(keys: PrivateJwk[]): Promise<KeyRing> {
  const ring: SigningKey[] = [];
  for (const k of keys) {
    const alg = algOf(k);
    let privateKey: CryptoKey | Uint8Array;
    try {
      privateKey = await importJWK({ ...k, alg }, alg);
    } catch (e) {
      throw new Error(`AUTH_SIGNING_KEYS: key "${k.kid}" cannot be imported: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Publish only public members: never copy "d" (or anything unknown) into the JWKS.
    const publicJwk: PublicJwk =
      k.kty === 'EC'
        ? { kty: 'EC', crv: k.crv, x: k.x, y: k.y, kid: k.kid, alg: 'ES256', use: 'sig' }
        : { kty: 'OKP', crv: k.crv, x: k.x, kid: k.kid, alg: 'EdDSA', use: 'sig' };
    ring.push({ kid: k.kid, alg, privateKey, publicJwk });
  }
  const [active] = ring;
  if (!active) throw new Error('AUTH_SIGNING_KEYS: at least one signing key is required');
  return { active, jwks: { keys: ring.map((k) => k.publicJwk) } };
}

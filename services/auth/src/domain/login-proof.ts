import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { leadingZeroBits, proofDigest, type LoginProof } from '@stampede/contracts';

/**
 * Login challenges: `v1.<payload>.<mac>`, the payload naming the account (hashed), the difficulty,
 * an expiry and a one-time id, under an HMAC only auth's replicas can make. So a proof is good for
 * one account, one login, a few minutes, and a client cannot lower its own difficulty.
 */
export interface Challenge {
  challenge: string;
  bits: number;
  expiresAt: number;
}

interface Payload {
  a: string;
  b: number;
  e: number;
  i: string;
}

export type ProofCheck = { ok: true; id: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'other-account' | 'too-weak' };

const accountTag = (account: string) => createHash('sha256').update(account.toLowerCase()).digest('base64url').slice(0, 22);
const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function issueChallenge(key: Buffer, account: string, bits: number, now: number, ttlMs: number): Challenge {
  const payload: Payload = { a: accountTag(account), b: bits, e: now + ttlMs, i: randomBytes(12).toString('base64url') };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { challenge: `v1.${body}.${mac(key, body)}`, bits, expiresAt: payload.e };
}

export function checkProof(key: Buffer, proof: LoginProof, account: string, minBits: number, now: number): ProofCheck {
  const [version, body, given] = proof.challenge.split('.');
  if (version !== 'v1' || !body || !given) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(key, body));
  if (expected.length !== Buffer.byteLength(given) || !timingSafeEqual(expected, Buffer.from(given))) return { ok: false, reason: 'forged' };
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (p.e <= now) return { ok: false, reason: 'expired' };
  if (p.a !== accountTag(account)) return { ok: false, reason: 'other-account' };
  if (p.b < minBits || leadingZeroBits(proofDigest(proof.challenge, proof.nonce)) < p.b) return { ok: false, reason: 'too-weak' };
  return { ok: true, id: p.i, expiresAt: p.e };
}

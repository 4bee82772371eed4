import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IdentityKeys } from '@stampede/contracts';

/**
 * Tokens the waiting room signs: an admission (`a1.<kid>.<expMs>.<mac>`, enter until exp) and a
 * queue ticket (`q1.<kid>.<seq>.<expMs>.<mac>`, proof of a place). The MAC is HMAC-SHA256 over
 * the sale, the user and the claims, under a key derived by HKDF from the platform's internal
 * identity key of that kid: no secret of its own, and a rotation of the identity keys rotates
 * these too. Sale and user are not in the token: the request names the sale and the gateway's
 * identity the user, so a token works for no one else and for no other sale.
 */
export interface RoomSigner {
  admission(saleId: string, userId: string, expiresAt: number): string;
  /** True when the token is an admission for this sale and user, unexpired at `now`. */
  admits(token: string, saleId: string, userId: string, now: number): boolean;
  ticket(saleId: string, userId: string, seq: number, expiresAt: number): string;
}

const INFO = 'stampede waiting room v1';

export function roomSigner(keys: IdentityKeys): RoomSigner {
  const derived = new Map<string, Buffer>();
  for (const [kid, key] of keys.byKid) derived.set(kid, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), INFO, 32)));
  const activeKid = keys.active.kid;
  const mac = (kid: string, parts: Array<string | number>) =>
    createHmac('sha256', derived.get(kid) as Buffer).update(parts.join('\n')).digest('base64url');

  return {
    admission(saleId, userId, expiresAt) {
      return `a1.${activeKid}.${expiresAt}.${mac(activeKid, ['a1', saleId, userId, expiresAt])}`;
    },
    admits(token, saleId, userId, now) {
      if (typeof token !== 'string' || token.length > 256) return false;
      const [v, kid, exp, given] = token.split('.');
      if (v !== 'a1' || !kid || !derived.has(kid) || !exp || !/^\d{1,15}$/.test(exp) || !given) return false;
      if (Number(exp) <= now) return false;
      const want = Buffer.from(mac(kid, ['a1', saleId, userId, exp]));
      const got = Buffer.from(given);
      return got.length === want.length && timingSafeEqual(got, want);
    },
    ticket(saleId, userId, seq, expiresAt) {
      return `q1.${activeKid}.${seq}.${expiresAt}.${mac(activeKid, ['q1', saleId, userId, seq, expiresAt])}`;
    },
  };
}

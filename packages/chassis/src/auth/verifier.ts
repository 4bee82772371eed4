import type { Cluster } from 'ioredis';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors';
import { openIdentity, ROLES, sessionKey, type BoundRequest, type IdentityKeys, type Principal } from '@stampede/contracts';
import { LRUCache } from 'lru-cache';

export interface VerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Sessions are checked in Redis on every request so logout takes effect at once. */
  redis: Cluster;
  /** For tests: a key set instead of a URL. */
  keySet?: JWTVerifyGetKey;
  /** How long a token whose signature and claims passed is trusted again without re-checking them (0: never). */
  verifiedTtlMs?: number;
  /** Bound on remembered tokens (oldest dropped first). */
  verifiedMax?: number;
  /** Keys of the gateway's identity header; without them only access tokens are accepted. */
  identityKeys?: IdentityKeys | undefined;
  /** Told why an identity header was refused (never the header itself). */
  onRefusedIdentity?: (reason: string) => void;
}

export interface Verifier {
  /** An access token of a live session (the ECDSA check, then the session in Redis). */
  verify(token: string): Promise<Principal>;
  /** The token's signature and claims only (cached): the caller checks the session itself. */
  verifyToken(token: string): Promise<Principal>;
  /**
   * The gateway's identity header for this request: one HMAC, no Redis (the gateway checked the
   * session). Forged, expired, replayed or made for another request: 401.
   */
  fromIdentity(header: string, req: BoundRequest): Principal;
}

export const ACCESS_TOKEN_ALGORITHMS = ['ES256', 'EdDSA'];

const claims = z.object({
  sub: z.string().min(1).max(64),
  sid: z.string().min(1).max(128),
  roles: z.array(z.enum(ROLES)).min(1),
  /** Account created at, epoch seconds (optional). */
  uca: z.number().int().nonnegative().optional(),
});

/** A session is live while its key exists: logout and replacement delete it at once. */
const isSessionActive = async (redis: Cluster, userId: string, sid: string) => (await redis.exists(sessionKey(userId, sid))) === 1;

const unauthenticated = () => new AppError('AUTH_REQUIRED', 'Authentication required');

/**
 * Verifies an access token with only auth's public keys (JWKS, fetched and cached; an unknown
 * `kid` triggers at most one refetch per cool-down), then checks the session is still live.
 * Every failure is the same 401 AUTH_REQUIRED so a caller learns nothing about why.
 */
export function createVerifier(o: VerifierOptions): Verifier {
  const keys =
    o.keySet ??
    createRemoteJWKSet(new URL(o.jwksUrl), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 2_000,
    });
  // A shopper's calls in one sale (availability, entry, prepare, confirm) carry the same token: the
  // ECDSA check and claim parsing (~100 µs) run once per process, the session read on every call
  // (logout stays immediate). Keyed by the exact token text; never past the token's own expiry.
  const ttlMs = o.verifiedTtlMs ?? 60_000;
  const verified = new LRUCache<string, Principal>({ max: o.verifiedMax ?? 100_000 });
  // A header is accepted once per replica: a copy sent again (to this replica) is a replay. It
  // expires within seconds, so remembering it that long is enough.
  const seenNonces = new LRUCache<string, true>({ max: 200_000, ttlAutopurge: false });

  async function verifyToken(token: string): Promise<Principal> {
    const known = verified.get(token);
    if (known) return known;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: o.issuer,
        audience: o.audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: 5,
      }));
    } catch (e) {
      if (e instanceof joseErrors.JOSEError || e instanceof TypeError) throw unauthenticated();
      throw e;
    }
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw unauthenticated();
    const { sub, sid, roles, uca } = parsed.data;
    const p: Principal = Object.freeze({ userId: sub, sessionId: sid, roles: Object.freeze([...roles]) as Principal['roles'], ...(uca !== undefined ? { accountCreatedAt: uca * 1000 } : {}) });
    const left = (payload as { exp: number }).exp * 1000 - Date.now();
    if (ttlMs > 0 && left > 0) verified.set(token, p, { ttl: Math.min(left, ttlMs) });
    return p;
  }

  return {
    verifyToken,
    fromIdentity(header, req) {
      if (!o.identityKeys) throw unauthenticated();
      const now = Date.now();
      const check = openIdentity(o.identityKeys, header, req, now);
      if (!check.ok) {
        o.onRefusedIdentity?.(check.reason);
        throw unauthenticated();
      }
      if (seenNonces.has(check.nonce)) {
        o.onRefusedIdentity?.('replayed');
        throw unauthenticated();
      }
      seenNonces.set(check.nonce, true, { ttl: check.expiresAt - now + 1_000 });
      return check.principal;
    },
    async verify(token) {
      const p = await verifyToken(token);
      if (!(await isSessionActive(o.redis, p.userId, p.sessionId))) throw unauthenticated();
      return p;
    },
  };
}

import type { Cluster } from 'ioredis';
import { KeyObject } from 'node:crypto';
import { createDecoder, createVerifier as createJwtVerifier, TokenError } from 'fast-jwt';
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
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
  /** Told of every signature check (a token not remembered), for metrics and tests. */
  onSignatureCheck?: () => void;
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

  // The signature is checked by node:crypto directly (fast-jwt, synchronous, about 80 µs for ES256),
  // not WebCrypto (jose: a thread-pool job, well over twice that): one check per new token at the
  // edge of a stampede. jose still finds the keys (JWKS fetched, cached, refetched on a new kid).
  const decode = createDecoder({ complete: true });
  const byKid = new LRUCache<string, (token: string) => Record<string, unknown>>({ max: 32, ttl: 10 * 60_000 });
  async function checkerFor(header: { kid?: unknown; alg?: unknown }, token: string) {
    const { kid, alg } = header;
    if (typeof kid !== 'string' || typeof alg !== 'string' || !ACCESS_TOKEN_ALGORITHMS.includes(alg)) throw unauthenticated();
    const cacheKey = `${alg}:${kid}`;
    let check = byKid.get(cacheKey);
    if (!check) {
      let key: Parameters<typeof KeyObject.from>[0] | Uint8Array;
      try {
        const [protectedHeader, payload, signature] = token.split('.') as [string, string, string];
        key = (await keys({ kid, alg }, { protected: protectedHeader, payload, signature })) as Parameters<typeof KeyObject.from>[0] | Uint8Array;
      } catch (e) {
        if (e instanceof joseErrors.JOSEError || e instanceof TypeError) throw unauthenticated();
        throw e;
      }
      if (key instanceof Uint8Array) throw unauthenticated();
      const pem = KeyObject.from(key).export({ type: 'spki', format: 'pem' }) as string;
      check = createJwtVerifier({
        key: pem,
        algorithms: [alg as 'ES256'],
        allowedIss: o.issuer,
        allowedAud: o.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: 5_000,
        cache: false,
      }) as (token: string) => Record<string, unknown>;
      byKid.set(cacheKey, check);
    }
    return check;
  }

  async function verifyToken(token: string): Promise<Principal> {
    const known = verified.get(token);
    // A copy: what a caller does with its principal never changes the next caller's.
    if (known) return { ...known, roles: [...known.roles] };
    let payload: unknown;
    try {
      const { header } = decode(token) as { header: { kid?: unknown; alg?: unknown } };
      const check = await checkerFor(header, token);
      o.onSignatureCheck?.();
      payload = check(token);
    } catch (e) {
      if (e instanceof TokenError || e instanceof AppError) throw unauthenticated();
      throw e;
    }
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw unauthenticated();
    const { sub, sid, roles, uca } = parsed.data;
    const p: Principal = { userId: sub, sessionId: sid, roles, ...(uca !== undefined ? { accountCreatedAt: uca * 1000 } : {}) };
    const left = (payload as { exp: number }).exp * 1000 - Date.now();
    if (ttlMs > 0 && left > 0) verified.set(token, { ...p, roles: [...roles] }, { ttl: Math.min(left, ttlMs) });
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

/** The settings `authVerifyConfigShape` parses; auth itself has no JWKS URL (it holds its keys). */
export interface VerifierConfig {
  AUTH_JWKS_URL?: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  INTERNAL_IDENTITY_KEYS?: IdentityKeys | undefined;
}

/**
 * The verifier every service builds from its settings: auth's keys (from its JWKS URL, or a key
 * set of its own for auth), issuer, audience and the gateway's identity keys. A refused identity
 * header is logged with its reason only, never the header (it would let a reader replay it).
 */
export function verifierFromConfig(
  config: VerifierConfig,
  redis: Cluster,
  logger: { warn(obj: object, msg: string): void },
  keySet?: JWTVerifyGetKey,
): Verifier {
  const jwksUrl = config.AUTH_JWKS_URL;
  if (!jwksUrl && !keySet) throw new Error('verifierFromConfig: AUTH_JWKS_URL or a key set is required');
  return createVerifier({
    jwksUrl: jwksUrl ?? 'unused:',
    ...(keySet ? { keySet } : {}),
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    redis,
    identityKeys: config.INTERNAL_IDENTITY_KEYS,
    onRefusedIdentity: (reason) => logger.warn({ reason }, 'identity header refused'),
  });
}

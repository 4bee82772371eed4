import type { Cluster } from 'ioredis';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors';
import { ROLES, type Principal } from './roles';
import { isSessionActive } from './sessions';

export interface VerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Sessions are checked in Redis on every request so logout takes effect at once. */
  redis: Cluster;
  /** For tests: a key set instead of a URL. */
  keySet?: JWTVerifyGetKey;
}

export interface Verifier {
  verify(token: string): Promise<Principal>;
}

export const ACCESS_TOKEN_ALGORITHMS = ['ES256', 'EdDSA'];

const claims = z.object({
  sub: z.string().min(1).max(64),
  sid: z.string().min(1).max(128),
  roles: z.array(z.enum(ROLES)).min(1),
  /** Account created at, epoch seconds (optional). */
  uca: z.number().int().nonnegative().optional(),
});

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
  return {
    async verify(token) {
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
      if (!(await isSessionActive(o.redis, sub, sid))) throw unauthenticated();
      return { userId: sub, sessionId: sid, roles, ...(uca !== undefined ? { accountCreatedAt: uca * 1000 } : {}) };
    },
  };
}

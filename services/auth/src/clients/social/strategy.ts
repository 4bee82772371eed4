import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '@stampede/chassis/errors';

/** Where a provider's tokens come from and who they must be addressed to (our client ids). */
export interface ProviderSettings {
  issuers: string[];
  jwksUrl: string;
  clientIds: string[];
  /** Minimum time between JWKS refetches triggered by an unknown `kid`. */
  cooldownMs: number;
}

const invalidIdToken = () => new AppError('AUTH_REQUIRED', 'The id_token is not valid');

/**
 * Verifies an OIDC id_token against the provider's JWKS (cached by jose, refetched at most once per
 * cool-down when a `kid` is unknown): signature, iss, aud, exp/iat, and the nonce when one is given.
 */
export function idTokenVerifier(
  s: ProviderSettings,
  opts: { algorithms: string[]; nonceMatches?: (claim: string, given: string) => boolean },
): (idToken: string, nonce?: string) => Promise<JWTPayload & { sub: string }> {
  const jwks = createRemoteJWKSet(new URL(s.jwksUrl), {
    cooldownDuration: s.cooldownMs,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 3_000,
  });
  const nonceMatches = opts.nonceMatches ?? ((claim, given) => claim === given);
  return async (idToken, nonce) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, jwks, {
        issuer: s.issuers,
        audience: s.clientIds,
        algorithms: opts.algorithms,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 30,
      }));
    } catch (e) {
      // A JOSE error is about the token, except the JWKS fetch failing (timeout or non-200);
      // anything else is the network between us and the provider.
      const unreachable =
        !(e instanceof joseErrors.JOSEError) || e instanceof joseErrors.JWKSTimeout || e.code === 'ERR_JOSE_GENERIC';
      if (unreachable) throw new AppError('UPSTREAM_UNAVAILABLE', 'The identity provider could not be reached');
      throw invalidIdToken();
    }
    if (typeof payload.sub !== 'string' || !payload.sub || payload.sub.length > 255) throw invalidIdToken();
    if (nonce !== undefined && (typeof payload.nonce !== 'string' || !nonceMatches(payload.nonce, nonce))) throw invalidIdToken();
    return payload as JWTPayload & { sub: string };
  };
}

export const lowerEmail = (v: unknown): string | null => (typeof v === 'string' && v.length <= 254 ? v.toLowerCase() : null);

import { randomUUID } from 'node:crypto';
import { AppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import type { Deps } from '../deps';
import { signAccessToken } from '../domain/access-tokens';
import { verifyPassword } from '../domain/credentials';
import { newRefreshToken, refreshTokenHash, REFRESH_TOKEN_PATTERN } from '../domain/refresh-tokens';
import type { SocialProvider } from '../domain/social-login';
import type { PublicUser } from '../store/users';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

// One message for an unknown email and a wrong password: the response must not tell them apart.
const badCredentials = () => new AppError('AUTH_REQUIRED', 'Invalid email or password');
const badRefreshToken = () => new AppError('AUTH_REQUIRED', 'The refresh token is not valid');

/** Opens a session for the user (evicting older ones beyond the limit) and issues its tokens. */
export async function openSession(d: Deps, user: PublicUser): Promise<TokenPair> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  // The family exists before the session, so a live session always has its refresh chain.
  await d.refresh.startFamily(user.id, sessionId, refreshTokenHash(refreshToken));
  const evicted = await d.sessions.open(user.id, sessionId);
  if (evicted.length) {
    d.metrics.sessionsRevoked.inc({ reason: 'session-replaced' }, evicted.length);
    await d.refresh.revokeSessions(user.id, evicted, 'session-replaced');
  }
  const accessToken = await signAccessToken(d.keys, d.access, {
    userId: user.id,
    roles: user.roles,
    sessionId,
    accountCreatedAt: user.createdAt,
  });
  return { accessToken, refreshToken, expiresIn: d.access.ttlSeconds };
}

export async function passwordLogin(d: Deps, email: string, password: string, ip: string): Promise<TokenPair> {
  await d.throttle.attempt(ip, email);
  const found = await d.users.credentials(email);
  // Always run argon2, against a dummy hash when there is no such account or no password.
  const ok = await verifyPassword(found?.passwordHash ?? d.dummyHash, password);
  if (!found?.passwordHash || !ok) {
    d.metrics.logins.inc({ method: 'password', outcome: 'rejected' });
    throw badCredentials();
  }
  await d.throttle.succeeded(ip, email);
  d.metrics.logins.inc({ method: 'password', outcome: 'ok' });
  return openSession(d, found.user);
}

export async function socialLogin(d: Deps, provider: SocialProvider, idToken: string, nonce?: string): Promise<TokenPair & { created: boolean }> {
  const strategy = d.social.get(provider);
  if (!strategy) {
    throw new AppError('INVALID_INPUT', `Invalid path: provider: ${provider} login is not enabled`, {
      fields: [{ field: 'provider', message: `${provider} login is not enabled` }],
    });
  }
  let claims;
  try {
    claims = await strategy.verify(idToken, nonce);
  } catch (e) {
    d.metrics.logins.inc({ method: provider, outcome: 'rejected' });
    throw e;
  }
  const { user, created } = await d.users.findOrCreateSocial(provider, claims.subject, claims.email);
  d.metrics.logins.inc({ method: provider, outcome: created ? 'created' : 'ok' });
  return { ...(await openSession(d, user)), created };
}

/**
 * Rotates a refresh token: the old one is used up and a new pair is issued for the same session.
 * A token that was already used means a copy is in someone else's hands: every refresh family and
 * every session of the user is revoked, and the caller gets TOKEN_REUSE_DETECTED.
 */
export async function refresh(d: Deps, token: string): Promise<TokenPair> {
  if (!REFRESH_TOKEN_PATTERN.test(token)) throw badRefreshToken();
  const next = newRefreshToken();
  const outcome = await d.refresh.rotate(refreshTokenHash(token), refreshTokenHash(next), (o) => d.sessions.touch(o.userId, o.sessionId));
  d.metrics.refreshes.inc({ outcome: outcome.kind });
  switch (outcome.kind) {
    case 'invalid':
    case 'session-ended':
      throw badRefreshToken();
    case 'reused': {
      const ended = await d.sessions.closeAll(outcome.owner.userId);
      d.metrics.sessionsRevoked.inc({ reason: 'reuse-detected' }, ended.length);
      d.logger.warn({ userId: outcome.owner.userId, familyId: outcome.owner.familyId }, 'refresh token reuse detected: sessions revoked');
      throw new AppError('TOKEN_REUSE_DETECTED', 'This refresh token was already used; all sessions have been signed out');
    }
    case 'rotated': {
      const user = await d.users.byId(outcome.owner.userId);
      if (!user) throw badRefreshToken();
      const accessToken = await signAccessToken(d.keys, d.access, {
        userId: user.id,
        roles: user.roles,
        sessionId: outcome.owner.sessionId,
        accountCreatedAt: user.createdAt,
      });
      return { accessToken, refreshToken: next, expiresIn: d.access.ttlSeconds };
    }
  }
}

/** Ends the caller's session at once: its access token and its refresh chain stop working. */
export async function logout(d: Deps, p: Principal): Promise<void> {
  await d.sessions.close(p.userId, p.sessionId);
  await d.refresh.revokeSessions(p.userId, [p.sessionId], 'logout');
  d.metrics.sessionsRevoked.inc({ reason: 'logout' });
}

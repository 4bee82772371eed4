import { randomUUID } from 'node:crypto';
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import type { LoginProof, Principal } from '@stampede/contracts';
import type { Deps } from '../deps';
import { signAccessToken } from '../domain/access-tokens';
import { verifyPassword } from '../domain/credentials';
import { checkProof, issueChallenge } from '../domain/login-proof';
import { newRefreshToken, refreshTokenHash, REFRESH_TOKEN_PATTERN } from '../domain/refresh-tokens';
import type { SocialProvider } from '../domain/social-login';
import { addToken, findToken, revokeFamilies, startFamily, useToken, type TokenOwner } from '../store/refresh-tokens';
import { credentialsOf, userById, type PublicUser } from '../store/users';
import { socialAccount } from './accounts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

// One message for an unknown email and a wrong password: the response must not tell them apart.
const badCredentials = () => new AppError('AUTH_REQUIRED', 'Invalid email or password');
const badRefreshToken = () => new AppError('AUTH_REQUIRED', 'The refresh token is not valid');

const refreshExpiry = (d: Deps) => new Date(Date.now() + d.refreshTtlSeconds * 1000);

const accessToken = (d: Deps, user: PublicUser, sessionId: string) =>
  signAccessToken(d.keys, d.access, { userId: user.id, roles: user.roles, sessionId, accountCreatedAt: user.createdAt });

/** Opens a session for the user (evicting older ones beyond the limit) and issues its tokens. */
async function openSession(d: Deps, user: PublicUser): Promise<TokenPair> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  // The family exists before the session, so a live session always has its refresh chain.
  await transaction(d.orm, (em) =>
    startFamily(em, { userId: user.id, sessionId, tokenHash: refreshTokenHash(refreshToken), expiresAt: refreshExpiry(d) }),
  );
  const evicted = await d.sessions.open(user.id, sessionId);
  if (evicted.length) {
    d.metrics.sessionsRevoked.inc({ reason: 'session-replaced' }, evicted.length);
    await transaction(d.orm, (em) => revokeFamilies(em, { userId: user.id, sessionIds: evicted }, 'session-replaced'));
  }
  return { accessToken: await accessToken(d, user, sessionId), refreshToken, expiresIn: d.access.ttlSeconds };
}

export interface PasswordLogin {
  email: string;
  password: string;
  proof?: LoginProof | undefined;
}

/**
 * Checks a password under the login throttle. An account that failed many times from anywhere
 * asks for a proof of work (428 with a challenge) instead of refusing: its owner, from an
 * address that did not fail, still signs in after one bounded computation.
 */
export async function passwordLogin(d: Deps, input: PasswordLogin, ip: string): Promise<TokenPair> {
  const { email, password, proof } = input;
  const { proofRequired } = await d.throttle.begin(ip, email);
  if (proofRequired) await requireProof(d, email, proof, ip);
  const found = await credentialsOf(reader(d.orm), email);
  // Always run argon2, against a dummy hash when there is no such account or no password.
  const ok = await verifyPassword(found?.passwordHash ?? d.dummyHash, password);
  if (!found?.passwordHash || !ok) {
    await d.throttle.failed(email);
    d.metrics.logins.inc({ method: 'password', outcome: 'rejected' });
    throw badCredentials();
  }
  await d.throttle.succeeded(ip, email);
  d.metrics.logins.inc({ method: 'password', outcome: 'ok' });
  return openSession(d, found.user);
}

async function requireProof(d: Deps, email: string, proof: LoginProof | undefined, ip: string): Promise<void> {
  const now = Date.now();
  const check = proof ? checkProof(d.loginProof.key, proof, email, d.loginProof.bits, now) : undefined;
  if (check?.ok && (await d.throttle.spendChallenge(check.id, check.expiresAt - now))) return;
  await d.throttle.refund(ip, email);
  d.metrics.logins.inc({ method: 'password', outcome: 'proof-required' });
  const challenge = issueChallenge(d.loginProof.key, email, d.loginProof.bits, now, d.loginProof.ttlMs);
  throw new AppError('PROOF_OF_WORK_REQUIRED', 'This account is being guessed at: solve the challenge and send the login again with its proof', {
    challenge: challenge.challenge,
    bits: challenge.bits,
    expiresAt: new Date(challenge.expiresAt).toISOString(),
    ...(check && !check.ok ? { rejected: check.reason } : {}),
  });
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
  const { user, created } = await socialAccount(d, provider, claims);
  d.metrics.logins.inc({ method: provider, outcome: created ? 'created' : 'ok' });
  return { ...(await openSession(d, user)), created };
}

type RotateOutcome =
  | { kind: 'rotated'; owner: TokenOwner; user: PublicUser | undefined }
  /** The token was already used: someone replayed it. */
  | { kind: 'reused'; owner: TokenOwner }
  /** Unknown, expired, or of a family revoked for another reason (logout, role change). */
  | { kind: 'invalid' }
  /** The token was fresh but its session had ended; the family is now revoked. */
  | { kind: 'session-ended' };

/**
 * One transaction uses the token up and decides what follows, so every read sees the writes it
 * depends on: of concurrent calls with one token exactly one rotates (see useToken), and the others,
 * finding it used, revoke every family of the user, this one first, so neither the thief nor the
 * victim keeps a working refresh token.
 */
function rotate(d: Deps, tokenHash: string, nextHash: string): Promise<RotateOutcome> {
  return transaction(d.orm, async (em): Promise<RotateOutcome> => {
    const owner = await useToken(em, tokenHash);
    if (owner) {
      // The session decides, inside the transaction, whether the chain may continue.
      if (!(await d.sessions.touch(owner.userId, owner.sessionId))) {
        await revokeFamilies(em, { familyId: owner.familyId }, 'session-ended');
        return { kind: 'session-ended' };
      }
      await addToken(em, { ...owner, tokenHash: nextHash, expiresAt: refreshExpiry(d) });
      return { kind: 'rotated', owner, user: await userById(em, owner.userId) };
    }
    const prior = await findToken(em, tokenHash);
    if (!prior?.used) return { kind: 'invalid' };
    await revokeFamilies(em, { userId: prior.userId }, 'reuse-detected');
    return { kind: 'reused', owner: prior };
  });
}

/**
 * Rotates a refresh token: the old one is used up and a new pair is issued for the same session.
 * A token that was already used means a copy is in someone else's hands: every refresh family and
 * every session of the user is revoked, and the caller gets TOKEN_REUSE_DETECTED.
 */
export async function refresh(d: Deps, token: string): Promise<TokenPair> {
  if (!REFRESH_TOKEN_PATTERN.test(token)) throw badRefreshToken();
  const next = newRefreshToken();
  const outcome = await rotate(d, refreshTokenHash(token), refreshTokenHash(next));
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
      if (!outcome.user) throw badRefreshToken();
      return { accessToken: await accessToken(d, outcome.user, outcome.owner.sessionId), refreshToken: next, expiresIn: d.access.ttlSeconds };
    }
  }
}

/** Ends the caller's session at once: its access token and its refresh chain stop working. */
export async function logout(d: Deps, p: Principal): Promise<void> {
  await d.sessions.close(p.userId, p.sessionId);
  await transaction(d.orm, (em) => revokeFamilies(em, { userId: p.userId, sessionIds: [p.sessionId] }, 'logout'));
  d.metrics.sessionsRevoked.inc({ reason: 'logout' });
}

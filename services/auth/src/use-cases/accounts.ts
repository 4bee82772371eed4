import { reader, transaction } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import { hasAnyRole, type Principal, type Role } from '@stampede/contracts';
import type { UserView, UserWithIdentitiesView } from '@stampede/contracts/api';
import type { Deps } from '../deps';
import { hashPassword, passwordResemblesEmail } from '../domain/credentials';
import type { SocialClaims, SocialProvider } from '../domain/social-login';
import { revokeFamilies } from '../store/refresh-tokens';
import { identitiesOf, insertUser, updateRoles, userById, userOfIdentity, type PublicUser } from '../store/users';

const userView = (u: PublicUser): UserView => ({
  id: u.id,
  email: u.email,
  roles: u.roles,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
});

const weakPassword = (message: string) =>
  new AppError('INVALID_INPUT', `Invalid body: password: ${message}`, { fields: [{ field: 'password', message }] });

export async function signUp(d: Deps, email: string, password: string): Promise<UserView> {
  if (passwordResemblesEmail(password, email)) throw weakPassword('password must not contain the email');
  const passwordHash = await hashPassword(password);
  const user = await transaction(d.orm, (em) => insertUser(em, { email, passwordHash, roles: ['USER'] }));
  if (!user) throw new AppError('ALREADY_EXISTS', 'An account with this email already exists');
  d.logger.info({ userId: user.id }, 'account created');
  return userView(user);
}

/** Self, AUDITOR and ADMIN may read an account; others get 403 whether or not it exists. */
export async function getUser(d: Deps, p: Principal, id: string): Promise<UserWithIdentitiesView> {
  if (p.userId !== id && !hasAnyRole(p, ['AUDITOR', 'ADMIN'])) throw new AppError('FORBIDDEN', 'You may only read your own account');
  const em = reader(d.orm);
  const user = await userById(em, id);
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  const identities = await identitiesOf(em, id);
  return {
    ...userView(user),
    identities: identities.map((i) => ({ provider: i.provider, email: i.email, linkedAt: i.createdAt.toISOString() })),
  };
}

/**
 * Replaces a user's roles (ADMIN only, checked by the route). Every session of the user ends at
 * once, so a token carrying the old roles cannot be used again; the next login carries the new ones.
 * The roles and the revocation of the user's refresh families commit together.
 */
export async function setRoles(d: Deps, admin: Principal, id: string, roles: Role[]): Promise<UserView> {
  if (admin.userId === id && !roles.includes('ADMIN')) {
    throw new AppError('CONFLICT', 'An administrator cannot remove their own ADMIN role');
  }
  const user = await transaction(d.orm, async (em) => {
    if (!(await updateRoles(em, id, roles))) return undefined;
    await revokeFamilies(em, { userId: id }, 'roles-changed');
    return userById(em, id);
  });
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  const ended = await d.sessions.closeAll(id);
  d.metrics.sessionsRevoked.inc({ reason: 'roles-changed' }, ended.length);
  d.logger.info({ userId: id, roles, by: admin.userId }, 'roles changed; sessions revoked');
  return userView(user);
}

/**
 * The account linked to a provider's subject, created on first login. Two first logins racing for
 * one subject end with one account: the loser's insert meets the winner's identity and reads it.
 */
export function socialAccount(d: Deps, provider: SocialProvider, claims: SocialClaims): Promise<{ user: PublicUser; created: boolean }> {
  return transaction(d.orm, async (em) => {
    const linked = await userOfIdentity(em, provider, claims.subject);
    if (linked) return { user: linked, created: false };
    const identity = { provider, subject: claims.subject, email: claims.email };
    const user = await insertUser(em, { email: null, passwordHash: null, roles: ['USER'], identity });
    if (user) return { user, created: true };
    const winner = await userOfIdentity(em, provider, claims.subject);
    if (!winner) throw new Error(`${provider} identity conflicts with no linked account`);
    return { user: winner, created: false };
  });
}

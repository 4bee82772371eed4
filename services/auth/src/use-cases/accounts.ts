import { AppError } from '@stampede/chassis/errors';
import { hasAnyRole, type Principal, type Role } from '@stampede/contracts';
import type { Deps } from '../deps';
import { hashPassword, passwordResemblesEmail } from '../domain/credentials';
import type { PublicUser } from '../store/users';

export interface UserView {
  id: string;
  email: string | null;
  roles: Role[];
  createdAt: string;
  updatedAt: string;
  identities?: { provider: string; email: string | null; linkedAt: string }[];
}

export const userView = (u: PublicUser): UserView => ({
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
  const user = await d.users.createWithPassword(email, await hashPassword(password));
  if (!user) throw new AppError('ALREADY_EXISTS', 'An account with this email already exists');
  d.logger.info({ userId: user.id }, 'account created');
  return userView(user);
}

/** Self, AUDITOR and ADMIN may read an account; others get 403 whether or not it exists. */
export async function getUser(d: Deps, p: Principal, id: string): Promise<UserView> {
  if (p.userId !== id && !hasAnyRole(p, ['AUDITOR', 'ADMIN'])) throw new AppError('FORBIDDEN', 'You may only read your own account');
  const user = await d.users.byId(id);
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  const identities = await d.users.identitiesOf(id);
  return {
    ...userView(user),
    identities: identities.map((i) => ({ provider: i.provider, email: i.email, linkedAt: i.createdAt.toISOString() })),
  };
}

/**
 * Replaces a user's roles (ADMIN only, checked by the route). Every session of the user ends at
 * once, so a token carrying the old roles cannot be used again; the next login carries the new ones.
 */
export async function setRoles(d: Deps, admin: Principal, id: string, roles: Role[]): Promise<UserView> {
  if (admin.userId === id && !roles.includes('ADMIN')) {
    throw new AppError('CONFLICT', 'An administrator cannot remove their own ADMIN role');
  }
  const user = await d.users.setRoles(id, roles);
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  const ended = await d.sessions.closeAll(id);
  await d.refresh.revokeUser(id, 'roles-changed');
  d.metrics.sessionsRevoked.inc({ reason: 'roles-changed' }, ended.length);
  d.logger.info({ userId: id, roles, by: admin.userId }, 'roles changed; sessions revoked');
  return userView(user);
}

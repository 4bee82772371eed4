import { reader, transaction } from '@stampede/chassis/clients/orm';
import { ConfigError } from '@stampede/chassis/config';
import type { Deps } from '../deps';
import { emailField, passwordField } from '@stampede/contracts/api';
import { hashPassword } from '../domain/credentials';
import { insertUser, userByEmail } from '../store/users';

export interface AdminSetting {
  email: string;
  password: string;
}

/**
 * The initial ADMIN comes only from configuration (a secret): both ADMIN_EMAIL and ADMIN_PASSWORD,
 * or neither. There is no default password. Checked before anything connects.
 */
export function adminSetting(email: string | undefined, password: string | undefined): AdminSetting | undefined {
  if (!email && !password) return undefined;
  const problems: { variable: string; problem: string }[] = [];
  if (!email) problems.push({ variable: 'ADMIN_EMAIL', problem: 'required when ADMIN_PASSWORD is set' });
  if (!password) problems.push({ variable: 'ADMIN_PASSWORD', problem: 'required when ADMIN_EMAIL is set' });
  const e = emailField.safeParse(email ?? '');
  if (email && !e.success) problems.push({ variable: 'ADMIN_EMAIL', problem: 'is not a valid email address' });
  const p = passwordField.safeParse(password ?? '');
  if (password && !p.success) problems.push({ variable: 'ADMIN_PASSWORD', problem: p.error.issues.map((i) => i.message).join('; ') });
  if (problems.length || !e.success || !p.success) throw new ConfigError(problems);
  return { email: e.data, password: p.data };
}

/**
 * Creates the initial ADMIN if no account has that email. Replicas starting together insert once:
 * the others meet the unique email and find the account. An existing account is never changed.
 */
export async function bootstrapAdmin(d: Deps, admin: AdminSetting): Promise<void> {
  if (!(await userByEmail(reader(d.orm), admin.email))) {
    const passwordHash = await hashPassword(admin.password);
    if (await transaction(d.orm, (em) => insertUser(em, { email: admin.email, passwordHash, roles: ['USER', 'ADMIN'] }))) {
      d.logger.info('initial ADMIN account created');
      return;
    }
  }
  const existing = await userByEmail(reader(d.orm), admin.email);
  if (!existing?.roles.includes('ADMIN')) {
    d.logger.warn('ADMIN_EMAIL belongs to an existing account without the ADMIN role; it was left unchanged');
  }
}

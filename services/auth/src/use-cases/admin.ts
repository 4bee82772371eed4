import { ConfigError } from '@stampede/chassis/config';
import type { Deps } from '../deps';
import { emailField, hashPassword, passwordField } from '../domain/credentials';

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

/** Creates the initial ADMIN if no account has that email; safe for replicas starting together. */
export async function bootstrapAdmin(d: Deps, admin: AdminSetting): Promise<void> {
  const result = await d.users.ensureAdmin(admin.email, () => hashPassword(admin.password));
  if (result === 'created') {
    d.logger.info('initial ADMIN account created');
    return;
  }
  const existing = await d.users.byEmail(admin.email);
  if (!existing?.roles.includes('ADMIN')) {
    d.logger.warn('ADMIN_EMAIL belongs to an existing account without the ADMIN role; it was left unchanged');
  }
}

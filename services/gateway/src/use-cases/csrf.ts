import type { Deps } from '../deps';
import { issueCsrfToken } from '../domain/csrf';
import { consumeLimit } from './rate-limits';

/** A fresh CSRF token for a browser (rate-limited per address), with the rate limit's headers. */
export async function issueCsrf(d: Deps, client: { ip?: string }): Promise<{ token: string; expiresIn: number; headers: Record<string, string> }> {
  const headers = await consumeLimit(d, 'csrfToken', client);
  return { ...issueCsrfToken(d.csrfSecret), headers };
}

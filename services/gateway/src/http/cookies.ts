/** Parses a Cookie header (RFC 6265 pairs); malformed pairs are ignored. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      continue;
    }
  }
  return out;
}

/** Cookie names. `__Host-` forces Secure, Path=/ and no Domain in browsers that honour it. */
export const ACCESS_COOKIE = 'stampede_access';
export const CSRF_COOKIE = '__csrf_token';
/** Sent only to the route that rotates it (Path=/browser/session/refresh). */
export const REFRESH_COOKIE = 'stampede_refresh';

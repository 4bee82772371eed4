import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

export interface PgTls {
  /** DATABASE_URL without its TLS parameters: they would override `ssl` in node-postgres. */
  connectionString: string;
  ssl: false | ConnectionOptions;
}

/**
 * TLS for every PostgreSQL connection a service opens (MikroORM's pool and migrate's lock
 * client), from DATABASE_URL's sslmode as libpq reads it, and a CA bundle file
 * (DATABASE_SSL_CA_FILE) for a server whose certificate no public CA signed:
 * - disable, allow, prefer: no TLS (node-postgres cannot fall back, so allow and prefer do not try);
 * - require: encrypted; verified against the CA bundle when one is given (as libpq does with a
 *   root certificate), else not verified;
 * - verify-ca: the server's certificate must chain to the CA bundle (or the system's CAs);
 * - verify-full: that, and the certificate must name the host connected to.
 */
export function pgTls(databaseUrl: string, caFile?: string): PgTls {
  const url = new URL(databaseUrl);
  const mode = url.searchParams.get('sslmode') ?? 'disable';
  for (const p of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat']) url.searchParams.delete(p);
  const connectionString = url.toString();
  // A string, not a Buffer: MikroORM deep-merges driver options.
  const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  const anyName = () => undefined;
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return { connectionString, ssl: false };
    case 'require':
      return { connectionString, ssl: ca ? { ca, rejectUnauthorized: true, checkServerIdentity: anyName } : { rejectUnauthorized: false } };
    case 'verify-ca':
      return { connectionString, ssl: { ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: anyName } };
    case 'verify-full':
      // host: node-postgres names no server for an IP address, and Node then checks the
      // certificate against "localhost"; the URL's host is the name to check.
      return { connectionString, ssl: { ...(ca ? { ca } : {}), rejectUnauthorized: true, host: url.hostname } };
    default:
      throw new Error(`DATABASE_URL: unknown sslmode "${mode}" (disable, allow, prefer, require, verify-ca, verify-full)`);
  }
}

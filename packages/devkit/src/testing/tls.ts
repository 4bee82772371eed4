import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TestCertificates {
  /** The CA that signed the server certificate: what a client trusts. */
  caFile: string;
  /** The server's certificate (PEM). */
  certChainFile: string;
  /** The server's key, PKCS#8 PEM, unencrypted. */
  keyFile: string;
}

/**
 * A throwaway CA and a server certificate it signs for 127.0.0.1 and localhost, made with the
 * openssl CLI, valid for a day. For TLS listeners that tests start; never for anything else.
 */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => exec('openssl', args);
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=stampede test CA');
  await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f('server.key'));
  await openssl('req', '-new', '-key', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '1', '-extfile', f('server.ext'));
  return { caFile: f('ca.pem'), certChainFile: f('server.pem'), keyFile: f('server.key') };
}

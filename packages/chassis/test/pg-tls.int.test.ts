import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { startPostgres, type PostgresHandle } from '@stampede/devkit';
import { migrate, ormConfig } from '../src/clients/orm';

/**
 * A real PostgreSQL with TLS on (a test CA and a server certificate for the name "db.test"
 * and 127.0.0.1), and the connections the services open: MikroORM's pool and migrate's lock
 * client. sslmode in DATABASE_URL and DATABASE_SSL_CA_FILE decide what they accept.
 */
const root = resolve(__dirname, '../../..');
let pg: PostgresHandle;
let certs: string;
let caFile: string;

function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=stampede test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=db.test', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:db.test,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt');
  // PostgreSQL runs as the postgres user when the tests run as root, and wants its key private.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'server.key'), 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const f of ['server.key', 'server.crt']) chownSync(join(dir, f), uid, gid);
  }
}

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'stampede-pg-tls-'));
  makeCertificates(certs);
  caFile = join(certs, 'ca.crt');
  const port = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 40;
  pg = await startPostgres({
    dir: resolve(root, '.stampede', `pg-tls-${port}`),
    port,
    databases: ['tls'],
    fast: true,
    settings: ['ssl = on', `ssl_cert_file = '${join(certs, 'server.crt')}'`, `ssl_key_file = '${join(certs, 'server.key')}'`],
  });
});

afterAll(async () => {
  await pg?.stop();
  rmSync(certs, { recursive: true, force: true });
});

/** Opens MikroORM as a service does and reports whether its connection is encrypted. */
async function ormSession(url: string, sslCaFile?: string): Promise<boolean> {
  const orm = await MikroORM.init(ormConfig({ clientUrl: url, entities: [], migrations: [], sslCaFile }));
  try {
    const rows = await orm.em.getConnection().execute<{ ssl: boolean }[]>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return rows[0]!.ssl;
  } finally {
    await orm.close(true);
  }
}

describe('DATABASE_URL sslmode on every connection', () => {
  it('when sslmode=verify-full and the CA bundle is given, then MikroORM connects over TLS', async () => {
    await expect(ormSession(`${pg.url('tls')}?sslmode=verify-full`, caFile)).resolves.toBe(true);
  });

  it('when sslmode=verify-full and no CA bundle vouches for the server, then the connection is refused', async () => {
    await expect(ormSession(`${pg.url('tls')}?sslmode=verify-full`)).rejects.toThrow(/self[- ]signed certificate|unable to verify/);
  });

  it('when the certificate does not name the host, then verify-full refuses and verify-ca accepts', async () => {
    const byName = pg.url('tls').replace('127.0.0.1', 'localhost');
    await expect(ormSession(`${byName}?sslmode=verify-full`, caFile)).rejects.toThrow(/altnames|Hostname/i);
    await expect(ormSession(`${byName}?sslmode=verify-ca`, caFile)).resolves.toBe(true);
  });

  it('when sslmode=require, then the connection is encrypted; when there is none, it is not', async () => {
    await expect(ormSession(`${pg.url('tls')}?sslmode=require`)).resolves.toBe(true);
    await expect(ormSession(pg.url('tls'))).resolves.toBe(false);
  });

  it('when migrate runs with sslmode=verify-full, then its lock client honours it too', async () => {
    await expect(migrate({ clientUrl: `${pg.url('tls')}?sslmode=verify-full`, entities: [], migrations: [] })).rejects.toThrow(/self[- ]signed certificate|unable to verify/);
    await expect(migrate({ clientUrl: `${pg.url('tls')}?sslmode=verify-full`, entities: [], migrations: [], sslCaFile: caFile })).resolves.toEqual([]);
  });
});

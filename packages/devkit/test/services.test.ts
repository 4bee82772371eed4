import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serviceEnv } from '../src/platform/env';
import { parseReplicas, replicasOf, serviceUrls } from '../src/platform/replicas';
import { localServices, readServices } from '../src/platform/services';

const root = resolve(__dirname, '..', '..', '..');

describe("the service list from the chart's values", () => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-services-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const values = (yaml: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    return file;
  };

  it("when the repository's values are read, then every service comes with its port, stores, database and callees, callees first", () => {
    const services = localServices(root);
    expect(services.map((s) => s.name)).toEqual(['auth', 'event', 'entry', 'payment', 'gateway']);
    expect(services.find((s) => s.name === 'payment')).toEqual({ name: 'payment', port: 8084, uses: ['redis', 'postgres', 'kafka'], calls: ['auth', 'event'], database: 'payment' });
    expect(services.find((s) => s.name === 'entry')).toEqual({ name: 'entry', port: 8083, uses: ['redis'], calls: ['auth', 'event'] });
  });

  it('when a service is disabled, then it is not in the list', () => {
    const file = values(`services:
  a: {enabled: false, port: 1, uses: [redis], calls: []}
  b: {port: 2, uses: [redis], calls: []}
`);
    expect(readServices(file).map((s) => s.name)).toEqual(['b']);
  });

  it('when a service calls one that is not listed, or uses postgres without a database, then reading fails naming it', () => {
    expect(() => readServices(values('services:\n  a: {port: 1, uses: [redis], calls: [ghost]}\n'))).toThrow(/services\.a\.calls names no enabled service: ghost/);
    expect(() => readServices(values('services:\n  a: {port: 1, uses: [postgres], calls: []}\n'))).toThrow(/services\.a uses postgres only together with a database/);
    expect(() => readServices(values('services:\n  a: {port: 1, uses: [mongo], calls: []}\n'))).toThrow(/services\.a\.uses\.0/);
    expect(() => readServices(values('services:\n  a: {port: 1, uses: [], calls: [b]}\n  b: {port: 2, uses: [], calls: [a]}\n'))).toThrow(/cycle/);
  });

  it('when replicas and an offset are given, then each replica has its port: chart port + 10·i + offset', () => {
    const services = localServices(root);
    expect(replicasOf({}, 'entry')).toBe(2);
    expect(replicasOf({}, 'gateway')).toBe(1);
    const urlsOf = serviceUrls(services, parseReplicas('entry=3'), 100);
    expect(urlsOf('entry')).toEqual(['http://127.0.0.1:8183', 'http://127.0.0.1:8193', 'http://127.0.0.1:8203']);
    expect(urlsOf('payment')).toEqual(['http://127.0.0.1:8184', 'http://127.0.0.1:8194']);
    expect(() => urlsOf('ghost')).toThrow(/no service named ghost/);
    expect(() => parseReplicas('entry=0')).toThrow(/bad --replicas entry "entry=0"/);
  });

  it('when an environment is built, then `uses` decides the store variables and `calls` the upstreams', () => {
    const services = localServices(root);
    const ctx = { redisNodes: 'r:1', kafkaBrokers: 'k:1', databaseUrl: (db: string) => `pg/${db}`, urlsOf: serviceUrls(services, {}, 0), secrets: {} as Record<string, string>, identityKeys: 'k:x' };
    const env = (name: string) => serviceEnv(services.find((s) => s.name === name)!, ctx);
    expect(env('entry')).toMatchObject({ REDIS_NODES: 'r:1', AUTH_JWKS_URL: 'http://127.0.0.1:8081/.well-known/jwks.json', EVENT_URL: 'http://127.0.0.1:8082' });
    expect(env('entry')).not.toHaveProperty('DATABASE_URL');
    expect(env('entry')).not.toHaveProperty('KAFKA_BROKERS');
    expect(env('payment')).toMatchObject({ DATABASE_URL: 'pg/payment', KAFKA_BROKERS: 'k:1', PG_PROVIDER: 'sandbox' });
    for (const s of services) expect(env(s.name).INTERNAL_IDENTITY_KEYS).toBe('k:x');
    expect(env('gateway')).toMatchObject({ UPSTREAM_ENTRY: 'http://127.0.0.1:8083,http://127.0.0.1:8093', UPSTREAM_AUTH: 'http://127.0.0.1:8081' });
    expect(env('auth')).not.toHaveProperty('AUTH_JWKS_URL');
    expect(Object.keys(ctx.secrets).sort()).toEqual(['adminEmail', 'adminPassword', 'paymentWebhookSecret']);
  });
});

import { parseIdentityKeys } from '@stampede/contracts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { renderChart, ROOT, validateManifests, type K8sObject, type Rendered } from '../../tools/chart-check/harness';
import { noHooks } from '../../tools/chart-check/policies';
import { ROUTES } from '../../services/gateway/src/domain/routes';
import { SCENARIOS, STRIMZI, TEST_SECRETS, scenario } from './scenarios';

const objects = (r: Rendered) => r.manifests.map((m) => m.object);
const find = (r: Rendered, kind: string, name: string) => objects(r).find((o) => o.kind === kind && o.metadata.name === name)!;
const container = (o: K8sObject, name: string) =>
  [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers].find((c: { name: string }) => c.name === name);

describe('helm install --wait can finish: nothing the release needs to get ready is a hook', () => {
  it.each(SCENARIOS)('with $name, only helm test objects are hooks', ({ options }) => {
    const r = renderChart(options);
    expect(noHooks(objects(r))).toEqual([]);
    const hooks = objects(r).filter((o) => o.metadata.annotations?.['helm.sh/hook']);
    expect(hooks.map((o) => o.metadata.annotations!['helm.sh/hook'])).toEqual(hooks.map(() => 'test'));
  });

  it('forms the Redis Cluster from the pods themselves: a keeper beside every node, no Job', () => {
    const r = renderChart(scenario('default').options);
    expect(objects(r).filter((o) => o.kind === 'Job')).toEqual([]);
    const sts = find(r, 'StatefulSet', 'stampede-redis');
    const keeper = container(sts, 'keeper');
    expect(keeper.command).toEqual(['sh', '/etc/redis/keeper.sh']);
    const env = Object.fromEntries(keeper.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.REDIS_PEERS.split(' ')).toEqual([0, 1, 2, 3, 4, 5].map((i) => `stampede-redis-${i}.stampede-redis-headless.stampede.svc`));
    expect(env.REDIS_REPLICAS).toBe('1');
    const cm = find(r, 'ConfigMap', 'stampede-redis');
    expect(cm.data!['keeper.sh']).toBe(readFileSync(path.join(ROOT, 'charts/stampede/files/redis-keeper.sh'), 'utf8'));
    expect(cm.data!['redis.conf']).toMatch(/^cluster-preferred-endpoint-type hostname$/m);
    expect(cm.data!['redis.conf']).toMatch(/^appendonly yes$/m);
    expect(container(sts, 'redis').args.join(' ')).toContain('--cluster-announce-hostname "${POD_NAME}.stampede-redis-headless.stampede.svc"');
    // Persistence is on by default: a restarted node keeps its data and its cluster identity.
    expect(sts.spec.volumeClaimTemplates.map((v: { metadata: { name: string } }) => v.metadata.name)).toEqual(['data']);
  });

  it('keeps a Redis node out of the Service until it sees a healthy cluster, not just PING', () => {
    const sts = find(renderChart(scenario('default').options), 'StatefulSet', 'stampede-redis');
    expect(container(sts, 'redis').readinessProbe.exec.command.join(' ')).toContain("grep -q '^cluster_state:ok'");
  });

  it('migrates in each database service’s own pods, before its container starts', () => {
    const r = renderChart(scenario('default').options);
    for (const name of ['auth', 'event', 'payment']) {
      const dep = find(r, 'Deployment', `stampede-${name}`);
      expect(dep.spec.template.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['migrate']);
    }
    for (const name of ['gateway', 'entry']) expect(find(r, 'Deployment', `stampede-${name}`).spec.template.spec.initContainers).toBeUndefined();
  });
});

describe('helm test on a default install', () => {
  it('asks the gateway only for routes that need no token, unless the Secret holds a login', () => {
    const r = renderChart(scenario('default').options);
    const pod = find(r, 'Pod', 'stampede-smoke-test');
    const env = Object.fromEntries(pod.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    const paths = env.SMOKE_PUBLIC_PATHS.split(',');
    expect(paths.length).toBeGreaterThan(1);
    const gatewayOwn = ['/healthz', '/openapi.json'];
    for (const p of paths) {
      const route = ROUTES.find((x) => x.method === 'GET' && x.path === p);
      expect([p, gatewayOwn.includes(p) || route?.access === 'public']).toEqual([p, true]);
    }
    // The login and the authenticated read are optional: no admin login exists on a fresh install.
    for (const v of ['SMOKE_LOGIN_EMAIL', 'SMOKE_LOGIN_PASSWORD']) {
      expect(pod.spec.containers[0].env.find((e: { name: string }) => e.name === v).valueFrom.secretKeyRef.optional).toBe(true);
    }
  });

  it('when a smoke path needs a token (GET /sales, as before), then the check above catches it', () => {
    expect(ROUTES.find((x) => x.method === 'GET' && x.path === '/sales')?.access).not.toBe('public');
  });
});

describe('secrets that a GitOps sync cannot regenerate', () => {
  const secretOf = (r: Rendered) => objects(r).find((o) => o.kind === 'Secret' && o.metadata.name === 'stampede');

  it('renders the release Secret as an ordinary resource kept on uninstall', () => {
    const s = secretOf(renderChart(scenario('default').options))!;
    expect(s.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });

  it('when rendered without a cluster (helm template, Argo CD) and keys are missing, then it fails naming existingSecret and the keys', () => {
    expect(() => renderChart({ apiVersions: [STRIMZI] })).toThrow(
      /no cluster to look up Secret stampede in.*secrets\.existingSecret.*missing: auth-signing-keys, billing-key-encryption-keys, csrf-secret, internal-identity-keys, postgres-password, redis-password, webhook-secret/s,
    );
  });

  it('when generation offline is asked for, then every render makes new keys: why it is refused by default', () => {
    const key = () => secretOf(renderChart({ apiVersions: [STRIMZI], set: ['secrets.generateOffline=true'] }))!.data!['billing-key-encryption-keys'];
    expect(key()).not.toBe(key());
  });

  it('when it generates the identity key, then every service can read it (32 random bytes, base64url, a kid)', () => {
    const data = secretOf(renderChart({ apiVersions: [STRIMZI], set: ['secrets.generateOffline=true'] }))!.data!;
    const keys = parseIdentityKeys(Buffer.from(data['internal-identity-keys'] as string, 'base64').toString());
    expect(keys.active.kid).toBe('k1');
    expect(keys.active.key).toHaveLength(32);
  });

  it('takes a group of keys from a Secret the user manages (existingSecrets.<group>) and renders only the rest', () => {
    const r = renderChart({ apiVersions: [STRIMZI], valuesFiles: [TEST_SECRETS], set: ['secrets.existingSecrets.payment=payment-keys', 'secrets.existingSecrets.postgres=pg'] });
    const payment = find(r, 'Deployment', 'stampede-payment').spec.template.spec.containers[0].env;
    const refOf = (v: string) => payment.find((e: { name: string }) => e.name === v).valueFrom.secretKeyRef.name;
    expect([refOf('BILLING_KEY_ENCRYPTION_KEYS'), refOf('WEBHOOK_SECRET'), refOf('DATABASE_URL'), refOf('REDIS_PASSWORD')]).toEqual(['payment-keys', 'payment-keys', 'pg', 'stampede']);
    expect(Object.keys(secretOf(r)!.data!).sort()).toEqual(['auth-signing-keys', 'csrf-secret', 'internal-identity-keys', 'redis-password']);
    const pg = find(r, 'StatefulSet', 'stampede-postgres').spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'POSTGRES_PASSWORD');
    expect(pg.valueFrom.secretKeyRef.name).toBe('pg');
  });
});

describe('database TLS', () => {
  it('puts sslmode in every DATABASE_URL and mounts the CA bundle, named by DATABASE_SSL_CA_FILE', () => {
    const r = renderChart({
      valuesFiles: ['charts/stampede/values-external.yaml', TEST_SECRETS],
      set: ['secrets.existingSecret=', 'secrets.values.postgres-password=pw', 'postgres.external.sslmode=verify-full', 'postgres.external.caBundle.secretName=db-ca'],
    });
    const secret = objects(r).find((o) => o.kind === 'Secret')!;
    for (const s of ['auth', 'event', 'payment']) {
      expect(Buffer.from(secret.data![`${s}-database-url`]!, 'base64').toString()).toMatch(/\?sslmode=verify-full$/);
      const dep = find(r, 'Deployment', `stampede-${s}`);
      expect(find(r, 'ConfigMap', `stampede-${s}`).data!.DATABASE_SSL_CA_FILE).toBe('/etc/stampede/db-ca/ca.crt');
      for (const c of ['migrate', s]) expect(container(dep, c).volumeMounts).toContainEqual({ name: 'db-ca', mountPath: '/etc/stampede/db-ca', readOnly: true });
      expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'db-ca', secret: { secretName: 'db-ca' } });
    }
    expect(find(r, 'ConfigMap', 'stampede-entry').data!.DATABASE_SSL_CA_FILE).toBeUndefined();
  });
});

describe('network policies', () => {
  it('let DNS through to kube-dns/CoreDNS in kube-system and to NodeLocal DNSCache', () => {
    const dns = find(renderChart(scenario('default').options), 'NetworkPolicy', 'stampede-allow-dns');
    expect(dns.spec.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }, { ipBlock: { cidr: '169.254.20.10/32' } }]);
    expect(dns.spec.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
  });

  it('open the Kafka listener to the services that use Kafka only (and KEDA when it reads lag)', () => {
    const listener = (r: Rendered) => find(r, 'Kafka', 'stampede-kafka').spec.kafka.listeners[0];
    const clients = (r: Rendered) => listener(r).networkPolicyPeers[0].podSelector.matchExpressions.find((e: { key: string }) => e.key === 'app.kubernetes.io/component').values;
    expect(clients(renderChart(scenario('default').options))).toEqual(['event', 'payment']);
    expect(listener(renderChart(scenario('default').options)).networkPolicyPeers).toHaveLength(1);
    expect(listener(renderChart(scenario('production').options)).networkPolicyPeers[1]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } });
    expect(clients(renderChart(scenario('production-kafka-auth-k8s-1.29').options))).toEqual(['event', 'payment']);
  });
});

describe('the Ingress', () => {
  const internal = ['/metrics', '/readyz', '/healthz'];
  const routes = (r: Rendered) => find(r, 'Ingress', 'stampede').spec.rules.flatMap((rule: { http: { paths: { path: string; pathType: string }[] } }) => rule.http.paths);
  const matches = (p: { path: string; pathType: string }, url: string) =>
    p.pathType === 'Exact' ? p.path === url : url === p.path || url.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`);

  it.each(SCENARIOS)('with $name, routes no internal endpoint and every public API route', ({ options }) => {
    const paths = routes(renderChart(options));
    for (const url of internal) expect([url, paths.filter((p: { path: string; pathType: string }) => matches(p, url))]).toEqual([url, []]);
    for (const route of ROUTES.filter((x) => !x.sandbox)) {
      const url = route.path.replace(/:[a-z]+/g, 'x');
      expect([url, paths.some((p: { path: string; pathType: string }) => matches(p, url))]).toEqual([url, true]);
    }
  });

  it('when asked to route "/" (as before), then it refuses and says why', () => {
    expect(() => renderChart({ ...scenario('default').options, valuesFiles: [TEST_SECRETS, valuesFileWith('ingress:\n  hosts:\n    - host: a.example\n      paths: [{path: /, pathType: Prefix}]\n')] })).toThrow(
      /ingress path "\/" \(Prefix\) would publish the gateway's \/metrics, \/readyz and \/healthz/,
    );
  });
});

describe('production values', () => {
  it('run no in-chart PostgreSQL: an external one, verified over TLS', () => {
    const r = renderChart(scenario('production').options);
    expect(objects(r).filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toEqual(['stampede-redis']);
    const values = r.values;
    expect(values.postgres).toMatchObject({ mode: 'external', external: { sslmode: 'verify-full', caBundle: { secretName: expect.any(String) } } });
  });
});

describe('PostgreSQL through CloudNativePG (values-cloudnative-pg.yaml)', () => {
  const r = () => renderChart(scenario('production-cloudnative-pg').options);

  it('renders a Cluster of three with a synchronous replica, backups and a nightly ScheduledBackup, and a kept Database per service', () => {
    const rendered = r();
    const cluster = find(rendered, 'Cluster', 'stampede-db');
    expect(cluster.spec).toMatchObject({ instances: 3, minSyncReplicas: 1, bootstrap: { initdb: { owner: 'stampede', secret: { name: 'stampede-db-app' } } } });
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(find(rendered, 'ScheduledBackup', 'stampede-db').spec).toMatchObject({ schedule: '0 0 3 * * *', cluster: { name: 'stampede-db' } });
    const dbs = objects(rendered).filter((o) => o.kind === 'Database');
    expect(dbs.map((d) => [d.spec.name, d.spec.owner, d.spec.databaseReclaimPolicy]).sort()).toEqual([
      ['auth', 'stampede', 'retain'],
      ['event', 'stampede', 'retain'],
      ['payment', 'stampede', 'retain'],
    ]);
    expect(objects(rendered).filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toEqual(['stampede-redis']);
  });

  it('connects every service to the primary over TLS verified against the operator’s CA, with the password CloudNativePG creates the user with', () => {
    const rendered = r();
    const secret = find(rendered, 'Secret', 'stampede');
    const password = Buffer.from(secret.data!['postgres-password']!, 'base64').toString();
    for (const s of ['auth', 'event', 'payment']) {
      expect(Buffer.from(secret.data![`${s}-database-url`]!, 'base64').toString()).toBe(
        `postgres://stampede:${encodeURIComponent(password).replace(/%20/g, '+')}@stampede-db-rw.stampede.svc:5432/${s}?sslmode=verify-full`,
      );
      expect(find(rendered, 'Deployment', `stampede-${s}`).spec.template.spec.volumes).toContainEqual({ name: 'db-ca', secret: { secretName: 'stampede-db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      expect(find(rendered, 'ConfigMap', `stampede-${s}`).data!.DATABASE_SSL_CA_FILE).toBe('/etc/stampede/db-ca/ca.crt');
    }
    const app = find(rendered, 'Secret', 'stampede-db-app');
    expect(app.type).toBe('kubernetes.io/basic-auth');
    expect(Buffer.from(app.data!.password!, 'base64').toString()).toBe(password);
  });

  it('when the Cluster breaks its CRD’s schema, then kubeconform says where', () => {
    const rendered = r();
    const ms = structuredClone(rendered.manifests).filter((m) => m.object.kind === 'Cluster');
    ms[0]!.object.spec.instances = 'three';
    ms[0]!.object.spec.storage.sizes = '1Gi';
    expect(validateManifests(ms).map((v) => v.message)).toEqual([expect.stringMatching(/\/spec\/instances: got string, want integer[\s\S]*additional properties 'sizes' not allowed|additional properties 'sizes' not allowed[\s\S]*\/spec\/instances/)]);
  });

  it('when the cluster does not serve the CloudNativePG API, then it says which operator to install', () => {
    const { apiVersions, ...rest } = scenario('production-cloudnative-pg').options;
    expect(() => renderChart({ ...rest, apiVersions: apiVersions!.filter((a) => !a.startsWith('postgresql.cnpg.io')) })).toThrow(/postgresql.cnpg.io\/v1 API.*CloudNativePG operator/);
  });
});

describe('Kafka', () => {
  it('keeps the topic list the local stack reads, replicated 3 times with 2 in sync', () => {
    const v = parse(readFileSync(path.join(ROOT, 'charts/stampede/values.yaml'), 'utf8'));
    expect(v.kafka.replicationFactor).toBe(3);
    expect(v.kafka.minInsyncReplicas).toBe(2);
    for (const t of v.kafka.topics) expect(t).toMatchObject({ name: expect.any(String), partitions: expect.any(Number), config: expect.any(Object) });
  });

  it('with auth on, gives every Kafka client the Strimzi cluster CA as KAFKA_SSL_CA_FILE', () => {
    const r = renderChart(scenario('production-kafka-auth-k8s-1.29').options);
    for (const s of ['event', 'payment']) {
      expect(find(r, 'ConfigMap', `stampede-${s}`).data).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/stampede/kafka-ca/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
      const dep = find(r, 'Deployment', `stampede-${s}`);
      expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'kafka-ca', secret: { secretName: 'stampede-kafka-cluster-ca-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      expect(container(dep, s).env.find((e: { name: string }) => e.name === 'KAFKA_SASL_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: `stampede-kafka-${s}`, key: 'password' });
    }
  });

  it('documents and sets Strimzi’s restricted pod security provider in the local-cluster kit', () => {
    expect(readFileSync(path.join(ROOT, 'k8s/install-operators.sh'), 'utf8')).toMatch(/STRIMZI_POD_SECURITY_PROVIDER_CLASS.*restricted/);
    expect(readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8')).toContain('STRIMZI_POD_SECURITY_PROVIDER_CLASS=restricted');
  });
});

function valuesFileWith(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'stampede-values-')), 'values.yaml');
  writeFileSync(file, yaml);
  return file;
}

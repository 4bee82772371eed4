import type { z } from 'zod';
import { loadConfig } from '@stampede/chassis/config';
import { SignJWT, importJWK, jwtVerify } from 'jose';
import path from 'node:path';
import { ROOT, renderChart, type K8sObject, type Rendered } from '../../tools/chart-check/harness';
import { containerEnv, envNames, requiredEnv } from '../../tools/chart-check/policies';
import { migrationRequiredEnv, requiredEnvByService, serviceDirectories } from '../../tools/chart-check/required-env';
import { loadKeyRing, signingKeysSetting } from '../../services/auth/src/domain/signing-keys';
import { SCENARIOS, scenario, STRIMZI } from './scenarios';

const objects = (r: Rendered) => r.manifests.map((m) => m.object);
const component = (o: K8sObject) => o.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'];

describe('environment variables the services require', () => {
  let required: Record<string, string[]>;
  beforeAll(async () => {
    required = await requiredEnvByService();
  });

  it('are read from every service directory’s config schema, not from a list kept by hand', () => {
    expect(Object.keys(required)).toEqual(serviceDirectories());
    expect(Object.keys(required).length).toBeGreaterThanOrEqual(5);
    // Every service talks to Redis; the DB services need their URL.
    for (const vars of Object.values(required)) expect(vars).toContain('REDIS_NODES');
    for (const s of ['auth', 'event', 'payment']) expect(required[s]).toContain('DATABASE_URL');
  });

  it.each(SCENARIOS)('are all set by the chart’s Deployments with $name', ({ options }) => {
    const r = renderChart(options);
    expect(requiredEnv(objects(r), required, r.values)).toEqual([]);
  });

  it('are reported, by name, when a service requires one the chart does not set', () => {
    const r = renderChart(scenario('default').options);
    const withNew = { ...required, payment: [...required.payment!, 'PAYMENT_NEW_SETTING'] };
    expect(requiredEnv(objects(r), withNew, r.values)).toEqual(['Deployment/stampede-payment: required variable PAYMENT_NEW_SETTING is not set']);
  });

  it('are reported when a new directory of services/ has no entry in the chart', () => {
    const r = renderChart(scenario('default').options);
    expect(requiredEnv(objects(r), { ...required, waitroom: ['REDIS_NODES'] }, r.values)).toEqual([
      "service waitroom (services/waitroom) has no entry in the chart's values.services",
    ]);
  });

  it('hold values each service’s own config schema accepts, generated secrets included', () => {
    const r = renderChart({ apiVersions: [STRIMZI], set: ['secrets.generateOffline=true'] });
    const objs = objects(r);
    for (const name of serviceDirectories()) {
      const dep = objs.find((o) => o.kind === 'Deployment' && component(o) === name)!;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same file the service loads
      const { configShape } = require(path.join(ROOT, 'services', name, 'src/config')) as { configShape: z.ZodRawShape };
      expect(() => loadConfig(configShape, containerEnv(dep, objs).env)).not.toThrow();
    }
  });

  it('give each database service’s migrate init container what migrate.ts reads', () => {
    const r = renderChart(scenario('external').options);
    const withMigrations = objects(r).filter((o) => o.kind === 'Deployment' && o.spec.template.spec.initContainers?.some((c: { name: string }) => c.name === 'migrate'));
    expect(withMigrations.map(component).sort()).toEqual(['auth', 'event', 'payment']);
    for (const dep of withMigrations) {
      const init = dep.spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'migrate');
      expect(init.command).toEqual(['node', 'dist/migrate.js']);
      const asPod = { ...dep, spec: { template: { spec: { containers: [init] } } } } as K8sObject;
      const { names } = envNames(asPod, objects(r));
      for (const v of migrationRequiredEnv()) expect([dep.metadata.name, v, names.has(v)]).toEqual([dep.metadata.name, v, true]);
    }
    expect(objects(r).filter((o) => o.kind === 'Job')).toEqual([]);
  });

  it('include a generated signing key that auth loads and that verifies what it signs', async () => {
    const r = renderChart({ apiVersions: [STRIMZI], set: ['secrets.generateOffline=true'] });
    const secret = objects(r).find((o) => o.kind === 'Secret')!;
    const raw = Buffer.from(secret.data!['auth-signing-keys']!, 'base64').toString();
    const ring = await loadKeyRing(signingKeysSetting.parse(raw));
    const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: ring.active.alg, kid: ring.active.kid }).sign(ring.active.privateKey);
    const publicKey = await importJWK(ring.jwks.keys[0]!, ring.active.alg);
    await expect(jwtVerify(token, publicKey)).resolves.toMatchObject({ payload: { sub: 'u1' } });
  });
});

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { migrate } from '@stampede/chassis/clients/orm';
import { localServices, publishTestInfra, startTestInfra, testDatabaseUrl, testInfra } from '@stampede/devkit';

const root = resolve(__dirname, '..');

/**
 * Starts the real components once for the integration project, unless a running set is named by
 * STAMPEDE_TEST_INFRA_FILE (see `npm run test:infra`), then applies every service's migrations.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.STAMPEDE_TEST_INFRA_FILE) {
    publishTestInfra(testInfra());
  } else {
    const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000);
    const started = Date.now();
    const infra = await startTestInfra(root, base);
    (globalThis as { __stampedeInfra?: unknown }).__stampedeInfra = infra;
    publishTestInfra(infra.info);
    const k = infra.kafka.startup;
    process.stdout.write(
      `\n[harness] Redis Cluster, PostgreSQL and Kafka up in ${Date.now() - started} ms ` +
        `(Kafka ${infra.kafka.runtime.version}: storage formatted ${k.formatMs} ms, broker registered ${k.registeredMs} ms, ready ${k.readyMs} ms)\n`,
    );
  }
  for (const { name, database } of localServices(root)) {
    const modelFile = join(root, 'services', name, 'src', 'store', 'model.ts');
    if (!database || !existsSync(modelFile)) continue;
    const { model } = (await import(modelFile)) as { model: Parameters<typeof migrate>[0] };
    await migrate({ ...model, clientUrl: testDatabaseUrl(database) });
  }
}

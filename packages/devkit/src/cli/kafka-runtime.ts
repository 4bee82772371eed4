/**
 * Bootstrap's Kafka step: resolves the pinned Kafka jars with Maven (cached), makes the JVM's
 * class-data archive for them once (it roughly halves a node's start-up), and prints the versions.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startKafka } from '../infra/kafka';
import { kafkaRuntime } from '../infra/kafka-runtime';
import { ProcessGroup } from '../infra/processes';
import { freePort } from '../testing/spawn';
import { ROOT } from './stack-state';

async function makeClassArchive(root: string, target: string): Promise<void> {
  const dir = join(root, '.stampede', 'kafka-cds');
  const group = new ProcessGroup(join(dir, 'logs'));
  const tmp = `${target}.${process.pid}.tmp`;
  const [client, controller] = [await freePort(), await freePort()];
  const kafka = await startKafka({ group, root, dir: join(dir, 'data'), nodes: 1, basePort: client, controllerBasePort: controller, archiveClassesTo: tmp, stopGraceMs: 60_000 });
  // A topic, a write and a read, so the classes serving clients are in the archive too.
  await kafka.createTopics([{ topic: 'warmup', numPartitions: 1, replicationFactor: 1, configEntries: [] }]);
  await kafka.describeTopics();
  await kafka.stop();
  rmSync(dir, { recursive: true, force: true });
  if (existsSync(tmp)) renameSync(tmp, target);
  else process.stderr.write('kafka: no class-data archive was written; nodes start without it\n');
}

async function main() {
  const rt = kafkaRuntime(ROOT);
  if (!existsSync(rt.cdsArchive)) await makeClassArchive(ROOT, rt.cdsArchive);
  process.stdout.write(`kafka ${rt.version}\njava ${rt.javaVersion}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`kafka: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

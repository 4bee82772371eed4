import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Apache Kafka as this machine runs it: the jars resolved from tools/kafka/pom.xml and a JVM. */
export interface KafkaRuntime {
  /** The pinned Kafka version, e.g. 4.4.0. */
  version: string;
  javaVersion: string;
  classpath: string;
  /** Where the classpath and the class-data archive are cached. */
  cacheDir: string;
  /** The AppCDS archive for this classpath and JVM: start-up roughly halves when it exists. */
  cdsArchive: string;
  log4jConfig: string;
}

export const cacheRoot = () => process.env.STAMPEDE_CACHE_DIR ?? join(homedir(), '.cache', 'stampede');

export function kafkaPom(root: string): string {
  return join(root, 'tools', 'kafka', 'pom.xml');
}

export function javaVersion(): string {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error) throw new Error('java not found: run scripts/install-system-deps.sh (it installs a JRE)');
  const m = /version "([^"]+)"/.exec(`${out.stderr}${out.stdout}`);
  if (!m?.[1]) throw new Error(`cannot read the Java version from: ${out.stderr}`);
  return m[1];
}

/**
 * Resolves the Kafka jars with Maven (into ~/.m2, once) and caches the classpath per pom content,
 * so every later start reads one file instead of running Maven.
 */
export function kafkaRuntime(root: string): KafkaRuntime {
  const pom = kafkaPom(root);
  const text = readFileSync(pom, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(text)?.[1];
  if (!version) throw new Error(`${pom} names no kafka.version`);
  // Comments do not change what Maven resolves, so they do not invalidate the cache.
  const hash = createHash('sha256').update(text.replace(/<!--[\s\S]*?-->/g, '').replace(/\s+/g, ' ')).digest('hex').slice(0, 12);
  const cacheDir = join(cacheRoot(), `kafka-${version}`);
  const cpFile = join(cacheDir, `classpath-${hash}.txt`);
  let classpath = existsSync(cpFile) ? readFileSync(cpFile, 'utf8').trim() : '';
  if (!classpath || classpath.split(':').some((jar) => !existsSync(jar))) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cpFile}.${process.pid}.tmp`;
    try {
      execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      rmSync(tmp, { force: true });
      throw new Error(`Maven could not resolve ${pom}:\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`.slice(0, 4_000));
    }
    renameSync(tmp, cpFile);
    classpath = readFileSync(cpFile, 'utf8').trim();
  }
  const java = javaVersion();
  return {
    version,
    javaVersion: java,
    classpath,
    cacheDir,
    cdsArchive: join(cacheDir, `cds-${hash}-java${java}.jsa`),
    log4jConfig: join(root, 'tools', 'kafka', 'log4j2.properties'),
  };
}

/**
 * JVM flags for a node or a tool run on a small machine: a small serial-collected heap, the
 * client compiler only (start-up matters more than peak throughput here) and the class-data
 * archive when one was made for this exact classpath and JVM.
 */
export function kafkaJvmFlags(rt: KafkaRuntime, heapMb: number): string[] {
  return [
    `-Xmx${heapMb}m`,
    '-Xms64m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    ...(existsSync(rt.cdsArchive) ? [`-XX:SharedArchiveFile=${rt.cdsArchive}`, '-Xshare:auto'] : []),
    `-Dlog4j2.configurationFile=${rt.log4jConfig}`,
  ];
}

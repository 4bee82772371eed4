import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafka } from '@stampede/chassis/clients/kafka';
import { createLogger } from '@stampede/chassis/logger';
import { kafkaJvmFlags, kafkaRuntime, type KafkaRuntime } from './kafka-runtime';
import { createTopics, declaredTopicsFile, describeTopics, readDeclaredTopics, topicPlan, type KafkaAdmin, type TopicDescription, type TopicSpec } from './kafka-topics';
import { sleep, type Managed, type ProcessGroup } from './processes';

const exec = promisify(execFile);
const HOST = '127.0.0.1';

export interface KafkaOptions {
  group: ProcessGroup;
  /** The repository root (for tools/kafka). */
  root: string;
  /** Data folder, wiped on start: every start is a new cluster. */
  dir: string;
  /** Combined broker+controller nodes (process.roles=broker,controller). */
  nodes: number;
  /** Node i's client listener is basePort + i. */
  basePort: number;
  /** Node i's controller listener; default basePort + nodes + i. */
  controllerBasePort?: number;
  /** Node i's plaintext inter-broker listener when the client one is secured; default basePort + 2·nodes + i. */
  internalBasePort?: number;
  /** SCRAM users created when the storage is formatted; the client listener then requires SASL. */
  sasl?: { mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256'; users: Array<{ username: string; password: string }> };
  /** PEM files of the client listener's certificate chain and its unencrypted PKCS#8 key. */
  tls?: { certChainFile: string; keyFile: string };
  /** Per node. */
  heapMb?: number;
  /** How long a silent broker stays registered: short here so a killed node is fenced quickly. */
  sessionTimeoutMs?: number;
  /** Extra server.properties entries (all nodes). */
  properties?: Record<string, string | number>;
  /** Writes a class-data archive of this run's JVM to this file when the node stops (node 0 only). */
  archiveClassesTo?: string;
  /** How long a node may take to stop before SIGKILL (default 2 s). */
  stopGraceMs?: number;
}

export interface KafkaHandle {
  /** The client listeners, as a service's KAFKA_BROKERS takes them. */
  brokers: string[];
  brokersEnv: string;
  /** Plaintext listeners for the harness's own admin client (the client ones when unsecured). */
  adminBrokers: string[];
  nodes: number;
  runtime: KafkaRuntime;
  /** Milliseconds spent formatting the storage, until every node was a registered broker, and until ready. */
  startup: { formatMs: number; registeredMs: number; readyMs: number };
  pids(): number[];
  /** Freezes every node (SIGSTOP): clients see brokers that stopped answering. */
  pause(): void;
  resume(): void;
  /** SIGKILLs node i, as a crash would. */
  killNode(i: number): Promise<void>;
  /** Starts node i again on its data and waits until it is back in the cluster. */
  restartNode(i: number): Promise<void>;
  /** The index of the node that is the active controller. */
  controller(): Promise<number>;
  admin<T>(fn: (admin: KafkaAdmin) => Promise<T>): Promise<T>;
  createTopics(plan: TopicSpec[]): Promise<void>;
  describeTopics(): Promise<TopicDescription[]>;
  stop(): Promise<void>;
}

export const portFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, HOST, () => server.close(() => done(true)));
  });

/** Kafka's cluster id: 16 random bytes, base64url; never starting with '-' (it would read as an option). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function properties(entries: Record<string, string | number>): string {
  return Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

/**
 * A real Apache Kafka cluster in KRaft mode on loopback: `nodes` combined broker+controller
 * processes with a static controller quorum, topics never created implicitly. Replication
 * settings of the internal topics follow the node count, so one node works as well as three.
 */
export async function startKafka(o: KafkaOptions): Promise<KafkaHandle> {
  const t0 = Date.now();
  const runtime = kafkaRuntime(o.root);
  const n = o.nodes;
  const index = [...Array(n).keys()];
  const clientPort = (i: number) => o.basePort + i;
  const controllerPort = (i: number) => (o.controllerBasePort ?? o.basePort + n) + i;
  const secured = Boolean(o.sasl || o.tls);
  const internalPort = (i: number) => (o.internalBasePort ?? o.basePort + 2 * n) + i;
  const ports = index.flatMap((i) => [clientPort(i), controllerPort(i), ...(secured ? [internalPort(i)] : [])]);
  const taken = (await Promise.all(ports.map(async (p) => ((await portFree(p)) ? undefined : p)))).filter(Boolean);
  if (taken.length) throw new Error(`Kafka cannot start: port(s) ${taken.join(', ')} on ${HOST} are taken`);

  rmSync(o.dir, { recursive: true, force: true });
  const clientProtocol = o.sasl && o.tls ? 'SASL_SSL' : o.sasl ? 'SASL_PLAINTEXT' : o.tls ? 'SSL' : 'PLAINTEXT';
  const rf = Math.min(3, n);
  const configFile = (i: number) => join(o.dir, `node-${i}`, 'server.properties');

  for (const i of index) {
    const dir = join(o.dir, `node-${i}`);
    mkdirSync(dir, { recursive: true });
    const tls: Record<string, string> = {};
    if (o.tls) {
      // A PEM keystore: the key and its certificate chain in one file, no JKS conversion needed.
      const keystore = join(dir, 'keystore.pem');
      writeFileSync(keystore, readFileSync(o.tls.keyFile, 'utf8') + readFileSync(o.tls.certChainFile, 'utf8'), { mode: 0o600 });
      tls['listener.name.client.ssl.keystore.type'] = 'PEM';
      tls['listener.name.client.ssl.keystore.location'] = keystore;
    }
    const sasl: Record<string, string> = {};
    if (o.sasl) {
      sasl['sasl.enabled.mechanisms'] = o.sasl.mechanism;
      sasl[`listener.name.client.${o.sasl.mechanism.toLowerCase()}.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    }
    const listeners = [`CLIENT://${HOST}:${clientPort(i)}`, `CONTROLLER://${HOST}:${controllerPort(i)}`, ...(secured ? [`INTERNAL://${HOST}:${internalPort(i)}`] : [])];
    writeFileSync(
      configFile(i),
      properties({
        'process.roles': 'broker,controller',
        'node.id': i + 1,
        'controller.quorum.voters': index.map((j) => `${j + 1}@${HOST}:${controllerPort(j)}`).join(','),
        listeners: listeners.join(','),
        'advertised.listeners': listeners.filter((l) => !l.startsWith('CONTROLLER')).join(','),
        'listener.security.protocol.map': `CLIENT:${clientProtocol},CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT`,
        'controller.listener.names': 'CONTROLLER',
        'inter.broker.listener.name': secured ? 'INTERNAL' : 'CLIENT',
        'log.dirs': join(dir, 'data'),
        'auto.create.topics.enable': 'false',
        'default.replication.factor': rf,
        'min.insync.replicas': Math.min(2, rf),
        'num.partitions': 1,
        'offsets.topic.replication.factor': rf,
        // Few partitions for the internal topics: created (and led) in a blink on a fresh cluster.
        'offsets.topic.num.partitions': 6,
        'transaction.state.log.replication.factor': rf,
        'transaction.state.log.min.isr': Math.min(2, rf),
        'transaction.state.log.num.partitions': 6,
        'share.coordinator.state.topic.replication.factor': rf,
        'share.coordinator.state.topic.min.isr': Math.min(2, rf),
        'group.initial.rebalance.delay.ms': 0,
        // Tests use 3 s consumer sessions so a rebalance after a kill is quick (the broker's
        // default floor is 6 s).
        'group.min.session.timeout.ms': 1_000,
        'broker.session.timeout.ms': o.sessionTimeoutMs ?? 3_000,
        'broker.heartbeat.interval.ms': 500,
        // Sized for a 2-core machine shared with everything else.
        'num.network.threads': 2,
        'num.io.threads': 2,
        'background.threads': 2,
        'num.recovery.threads.per.data.dir': 1,
        'num.replica.fetchers': 1,
        'log.cleaner.threads': 1,
        'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
        ...tls,
        ...sasl,
        ...o.properties,
      }),
    );
  }

  const jvm = kafkaJvmFlags(runtime, o.heapMb ?? 384);
  const id = clusterId();
  // SCRAM credentials are written into the metadata log at format time: no running broker or
  // admin request (kafkajs has none for SCRAM) is needed to create them.
  const scram = (o.sasl?.users ?? []).flatMap((u) => ['--add-scram', `${o.sasl?.mechanism}=[name=${u.username},password=${u.password}]`]);
  await Promise.all(
    index.map((i) =>
      exec('java', [...jvm, '-cp', runtime.classpath, 'kafka.tools.StorageTool', 'format', '--cluster-id', id, '--config', configFile(i), ...scram]).catch((e: { stdout?: string; stderr?: string }) => {
        throw new Error(`kafka storage format failed for node ${i}: ${e.stdout ?? ''}${e.stderr ?? ''}`.slice(0, 4_000));
      }),
    ),
  );

  const formatMs = Date.now() - t0;
  const procs = new Map<number, Managed>();
  // Nodes stop together (the group's stopAll does so too). A node whose peers are going away
  // waits for a quorum that will not come back; its data is discarded at the next start anyway,
  // so after a short grace it is killed rather than waited for.
  const grace = o.stopGraceMs ?? 2_000;
  const logName = (i: number) => `kafka-${clientPort(i)}`;
  const startNode = (i: number) => {
    const archive = i === 0 && o.archiveClassesTo ? [`-XX:ArchiveClassesAtExit=${o.archiveClassesTo}`] : [];
    const m = o.group.start(logName(i), 'java', [...jvm, ...archive, '-cp', runtime.classpath, 'kafka.Kafka', configFile(i)], {
      together: `kafka-${o.basePort}`,
      stopGraceMs: grace,
    });
    procs.set(i, m);
    return m;
  };

  const adminBrokers = index.map((i) => `${HOST}:${secured ? internalPort(i) : clientPort(i)}`);
  const admin = async <T>(fn: (a: KafkaAdmin) => Promise<T>, brokers = adminBrokers): Promise<T> => {
    const kafka = createKafka({ brokers, clientId: 'stampede-devkit', logger: createLogger({ service: 'devkit-kafka', level: 'silent' }) });
    const a = kafka.admin({ retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } });
    await a.connect();
    try {
      return await fn(a);
    } finally {
      await a.disconnect();
    }
  };

  const logTail = (i: number) => {
    try {
      return readFileSync(join(o.group.logDir, `${logName(i)}.log`), 'utf8').slice(-3_000);
    } catch {
      return '';
    }
  };

  /** Waits until the `live` nodes are registered brokers, failing at once (with its log) if one died. */
  const waitForBrokers = async (live: number[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      const dead = live.find((i) => { const c = procs.get(i)?.child; return !c || c.exitCode !== null || c.signalCode !== null; });
      if (dead !== undefined) throw new Error(`Kafka node ${dead} exited during start-up:\n${logTail(dead)}`);
      try {
        const { brokers } = await admin((a) => a.describeCluster(), live.map((i) => adminBrokers[i] as string));
        const ids = new Set(brokers.map((b) => b.nodeId));
        if (live.every((i) => ids.has(i + 1))) return;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`Kafka node(s) ${live.join(', ')} not registered after ${timeoutMs} ms: ${String(last)}`);
      await sleep(200);
    }
  };

  const retryUntil = async (what: string, fn: () => Promise<unknown>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`Kafka: ${what} did not answer within ${timeoutMs} ms: ${String(e)}`);
        await sleep(200);
      }
    }
  };

  const stopAll = async () => {
    const running = [...procs.values()];
    for (const m of running) m.child.kill('SIGCONT');
    await Promise.all(running.map((m) => o.group.stop(m, 'SIGTERM', grace)));
  };

  let registeredMs = 0;
  try {
    index.forEach(startNode);
    await waitForBrokers(index, 90_000);
    registeredMs = Date.now() - t0;
    // The group coordinator's topic exists before the first consumer asks for it, so a test's
    // first consumer joins its group at once instead of waiting for the topic to be created.
    // While it is being created (and its partitions led) the coordinator moves: ask until a
    // coordinator answers.
    await retryUntil('the group coordinator', () => admin((a) => a.describeGroups(['stampede-warmup'])), 30_000);
  } catch (e) {
    await stopAll();
    throw e;
  }

  return {
    brokers: index.map((i) => `${HOST}:${clientPort(i)}`),
    brokersEnv: index.map((i) => `${HOST}:${clientPort(i)}`).join(','),
    adminBrokers,
    nodes: n,
    runtime,
    startup: { formatMs, registeredMs, readyMs: Date.now() - t0 },
    pids: () => [...procs.values()].map((m) => m.child.pid ?? 0),
    pause: () => procs.forEach((m) => m.child.kill('SIGSTOP')),
    resume: () => procs.forEach((m) => m.child.kill('SIGCONT')),
    async killNode(i) {
      const m = procs.get(i);
      if (m) await o.group.stop(m, 'SIGKILL');
    },
    async restartNode(i) {
      startNode(i);
      await waitForBrokers([i], 60_000);
    },
    async controller() {
      const { controller } = await admin((a) => a.describeCluster());
      return (controller ?? 0) - 1;
    },
    admin: (fn) => admin(fn),
    createTopics: (plan) => admin((a) => createTopics(a, plan)),
    describeTopics: () => admin((a) => describeTopics(a)),
    stop: stopAll,
  };
}

/** Creates the chart's declared topics (and only those) on a cluster the devkit started. */
export async function declareTopics(kafka: KafkaHandle, root: string): Promise<void> {
  await kafka.createTopics(topicPlan(readDeclaredTopics(declaredTopicsFile(root)), kafka.nodes));
}

import type { Managed, ProcessGroup } from './processes';

export interface KafkaHandle {
  brokers: string[];
  brokersEnv: string;
  /** Freezes the mock cluster (SIGSTOP): clients see a broker that stopped answering. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/**
 * librdkafka's mock cluster, kept alive by a kcat consumer. It speaks the real Kafka protocol
 * (produce, fetch, consumer groups) but has no controller: no admin API, no idempotent producer.
 * Its ports are random and its data lives in memory, so an outage is simulated by freezing it.
 */
export async function startKafkaMock(group: ProcessGroup, brokers = 3): Promise<KafkaHandle> {
  const m: Managed = group.start('kafka-mock', 'kcat', [
    '-X', `test.mock.num.brokers=${brokers}`,
    '-d', 'mock',
    '-C', '-q', '-t', '__stampede_keepalive',
    '-b', 'localhost:1',
  ], { stdio: ['ignore', 'ignore', 'pipe'], log: false });

  const bootstrap = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('kafka mock did not report its brokers')), 10_000);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      const match = /bootstrap\.servers=(\S+)/.exec(buf);
      if (match?.[1]) {
        clearTimeout(timer);
        // Keep draining: the mock logs every request and would block on a full pipe.
        m.child.stderr?.off('data', onData);
        m.child.stderr?.on('data', () => undefined);
        resolve(match[1]);
      } else if (buf.length > 1_000_000) {
        buf = buf.slice(-4096);
      }
    };
    m.child.stderr?.on('data', onData);
    void m.exited.then((code) => reject(new Error(`kcat exited with ${code}`)));
  });

  const list = bootstrap.split(',');
  return {
    brokers: list,
    brokersEnv: bootstrap,
    pause: () => m.child.kill('SIGSTOP'),
    resume: () => m.child.kill('SIGCONT'),
    async stop() {
      m.child.kill('SIGCONT');
      await group.stop(m, 'SIGTERM', 2_000);
    },
  };
}

import { createMetrics } from '@stampede/chassis/metrics';
import { captureLogs, waitFor } from '@stampede/devkit';
import type { Deps } from '../src/deps';
import { createEventMetrics } from '../src/metrics';
import { startOrdersConsumer } from '../src/workers/orders-consumer';

describe('event service: the payment events consumer without brokers', () => {
  it('when the brokers never answer, then it keeps retrying, and a stop ends the retries without it ever joining', async () => {
    const logs = captureLogs('info');
    const metrics = createMetrics('event-consumer-test');
    // Starting only touches Kafka: the stores are never reached before a message arrives.
    const deps = { logger: logs.logger, metrics: createEventMetrics(metrics) } as unknown as Deps;
    const consumer = startOrdersConsumer(deps, {
      // Port 9 (discard) is closed on loopback: every connect is refused.
      connection: { brokers: ['127.0.0.1:9'] },
      groupId: 'event-orders-unreachable',
      sessionTimeout: 3_000,
      heartbeatInterval: 300,
    });
    const failures = () => logs.lines().map((l) => JSON.parse(l)).filter((l) => l.msg === 'payment events consumer could not start; retrying');
    await waitFor('two failed attempts', async () => failures().length >= 2, 30_000, 50);
    expect(failures().map((l) => l.attempt).slice(0, 2)).toEqual([1, 2]);

    // The retries end with the stop: `started` settles (it never would while a retry is pending).
    await consumer.stop();
    await consumer.started;
    const msgs = logs.lines().map((l) => JSON.parse(l).msg);
    expect(msgs).not.toContain('payment events consumer running');
    expect(msgs.filter((m: string) => m.startsWith('payment events consumer gave up'))).toEqual([]);
  });
});

import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { captureLogs, declareTopics, ProcessGroup, startKafka, testKafkaPorts, waitFor, type KafkaHandle } from '@stampede/devkit';
import { startEvent, type EventHarness } from './support';

/**
 * kafkajs stops a consumer for good after an error it does not retry. A broker of this file's own
 * refuses the consumer's 3 s session (its floor is 6 s here), which is such an error: the service
 * must stay up and start a new consumer, again and again, rather than serve with none.
 */
describe('event service: a consumer kafkajs gives up on', () => {
  const root = resolve(__dirname, '..', '..', '..');
  const dir = join(root, '.stampede', `event-consumer-restart-${process.pid}`);
  const group = new ProcessGroup(join(dir, 'logs'));
  const logs = captureLogs('info');
  let kafka: KafkaHandle;
  let h: EventHarness;

  beforeAll(async () => {
    kafka = await startKafka({ group, root, dir: join(dir, 'kafka'), nodes: 1, basePort: testKafkaPorts(2), properties: { 'group.min.session.timeout.ms': 6_000 } });
    await declareTopics(kafka, root);
    h = await startEvent({ consumer: true, logger: logs.logger, env: { KAFKA_BROKERS: kafka.brokersEnv, KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '3000' } });
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the broker refuses the consumer for good, then the service starts a new consumer each time and keeps serving', async () => {
    const restarts = () => logs.lines().filter((l) => l.includes('payment events consumer stopped after an error; starting it again'));
    await waitFor('two consumer restarts', async () => restarts().length >= 2, 20_000, 100);
    expect(JSON.parse(restarts()[0] as string).err).toMatch(/session timeout is not within the range/);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    // A setting the broker refuses is not a credential problem: readiness is unaffected.
    const ready = (await (await fetch(`${h.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks.kafka).toBe('ok');
  }, 40_000);
});

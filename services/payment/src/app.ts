import type { Logger } from 'pino';
import { verifierFromConfig } from '@stampede/chassis/auth';
import { createKafka } from '@stampede/chassis/clients/kafka';
import { reader } from '@stampede/chassis/clients/orm';
import { ConfigError } from '@stampede/chassis/config';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService, type RunningService, serviceOptionsFrom } from '@stampede/chassis/service';
import { kafkaStore, newStores, postgresStore, redisStore } from '@stampede/chassis/stores';
import { metered } from './clients/psp/metered';
import { SandboxPsp } from './clients/psp/sandbox';
import { TossPsp } from './clients/psp/toss';
import { SalesClient } from './clients/sales';
import type { Config } from './config';
import type { Deps } from './deps';
import { BillingKeyCipher } from './domain/billing-cipher';
import { rawBodyRoutes, routes } from './http/routes';
import { paymentMetrics } from './metrics';
import { model } from './store/model';
import { backlog } from './store/outbox';
import { OutboxRelay } from './workers/outbox-relay';
import { startRetention } from './workers/retention';

/** Cross-field rules zod's per-variable shape cannot express. */
function checkConfig(config: Config): void {
  const issues: { variable: string; problem: string }[] = [];
  if (!config.BILLING_KEY_ENCRYPTION_KEYS.has(config.BILLING_KEY_ACTIVE_KEY_ID)) {
    issues.push({ variable: 'BILLING_KEY_ACTIVE_KEY_ID', problem: 'names no key of BILLING_KEY_ENCRYPTION_KEYS' });
  }
  if (config.PG_PROVIDER === 'toss' && !config.TOSS_SECRET_KEY) issues.push({ variable: 'TOSS_SECRET_KEY', problem: 'required when PG_PROVIDER=toss' });
  if (issues.length) throw new ConfigError(issues);
}

export async function buildPayment(config: Config, logger: Logger): Promise<RunningService> {
  checkConfig(config);
  const metrics = createMetrics('payment');
  const stores = newStores(metrics.registry);
  const redis = redisStore(config, stores);
  const orm = await postgresStore(config, model, stores);

  const pm = paymentMetrics(metrics, () => backlog(reader(orm)));
  const sandbox = config.PG_PROVIDER === 'sandbox' ? new SandboxPsp(orm, config.SANDBOX_PG_LATENCY_MS) : undefined;
  const psp = sandbox ?? new TossPsp({ baseUrl: config.TOSS_API_URL, secretKey: config.TOSS_SECRET_KEY as string, timeoutMs: config.PG_TIMEOUT_MS });

  const deps: Deps = {
    config,
    logger,
    redis,
    orm,
    verifier: verifierFromConfig(config, redis, logger),
    psp: metered(psp, pm.pspDuration),
    sandbox,
    sales: new SalesClient(config.EVENT_URL),
    cipher: new BillingKeyCipher(config.BILLING_KEY_ENCRYPTION_KEYS, config.BILLING_KEY_ACTIVE_KEY_ID),
    metrics: pm,
  };

  const kafka = kafkaStore(config, stores, logger);
  const relay = new OutboxRelay({
    orm,
    kafka: createKafka({ ...kafka.connection, clientId: 'payment-outbox', logger }),
    health: kafka.health,
    logger,
    metrics: pm,
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
  });
  if (config.OUTBOX_RELAY_ENABLED) relay.start();
  const retention = startRetention({
    orm,
    logger,
    intervalMs: config.RETENTION_SWEEP_MS,
    idempotencyHours: config.IDEMPOTENCY_RETENTION_HOURS,
    outboxHours: config.OUTBOX_RETENTION_HOURS,
    onDeleted: (table, n) => pm.retentionDeleted.inc({ table }, n),
  });

  return createService({
    name: 'payment',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    before: (app) => rawBodyRoutes(app, deps),
    routes: (app) => routes(app, deps),
    // The workers stop first (an in-flight round finishes), then the store clients close.
    closers: [() => relay.stop(), () => retention.stop(), ...stores.closers],
  });
}

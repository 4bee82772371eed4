import {
  ConfigError,
  createKafka,
  createMetrics,
  kafkaStore,
  createService,
  createVerifier,
  newStores,
  postgresStore,
  redisStore,
  type Logger,
  type RunningService,
  serviceOptionsFrom,
} from '@stampede/chassis';
import type { Config } from './config';
import { BillingKeyCipher } from './domain/billing-cipher';
import { paymentRoutes, webhookRoute } from './http/routes';
import { paymentMetrics } from './metrics';
import type { PaymentGateway } from './pg/gateway';
import { SandboxGateway } from './pg/sandbox';
import { TossGateway } from './pg/toss';
import { OutboxRelay } from './relay/outbox-relay';
import type { PaymentContext } from './service/context';
import { IdempotencyStore } from './store/idempotency';
import { model } from './store/model';
import { backlog } from './store/outbox';
import { PaymentStore } from './store/payments';
import { SnapshotClient } from './store/snapshots';
import { SubscriptionStore } from './store/subscriptions';

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
  const knex = orm.em.getKnex();

  const sandbox = config.PG_PROVIDER === 'sandbox' ? new SandboxGateway(knex, config.SANDBOX_PG_LATENCY_MS) : undefined;
  const gateway: PaymentGateway =
    sandbox ?? new TossGateway({ baseUrl: config.TOSS_API_URL, secretKey: config.TOSS_SECRET_KEY as string, timeoutMs: config.PG_TIMEOUT_MS });
  const cipher = new BillingKeyCipher(config.BILLING_KEY_ENCRYPTION_KEYS, config.BILLING_KEY_ACTIVE_KEY_ID);
  const pm = paymentMetrics(metrics, () => backlog(knex));

  const ctx: PaymentContext = {
    config,
    logger,
    redis,
    knex,
    payments: new PaymentStore(orm, knex),
    idempotency: new IdempotencyStore(knex, config.IDEMPOTENCY_WAIT_MS, config.CLAIM_LEASE_MS),
    gateway,
    sandbox,
    snapshots: new SnapshotClient(config.EVENT_URL),
    subscriptions: new SubscriptionStore(orm, knex, cipher),
    metrics: pm,
  };
  const verifier = createVerifier({ jwksUrl: config.AUTH_JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, redis });

  const kafka = kafkaStore(config, stores, logger);
  const relay = new OutboxRelay({
    knex,
    kafka: createKafka({ ...kafka.connection, clientId: 'payment-outbox', logger }),
    health: kafka.health,
    logger,
    metrics: pm,
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
  });
  if (config.OUTBOX_RELAY_ENABLED) relay.start();

  return createService({
    name: 'payment',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    before: webhookRoute(ctx),
    routes: paymentRoutes(ctx, verifier),
    // The relay stops first (its in-flight round finishes), then the store clients close.
    closers: [() => relay.stop(), ...stores.closers],
  });
}

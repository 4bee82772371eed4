import type { Knex } from '@mikro-orm/postgresql';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { PaymentMetrics } from '../metrics';
import type { PaymentGateway } from '../pg/gateway';
import type { SandboxGateway } from '../pg/sandbox';
import type { IdempotencyStore } from '../store/idempotency';
import type { PaymentStore } from '../store/payments';
import type { SnapshotClient } from '../store/snapshots';
import type { SubscriptionStore } from '../store/subscriptions';

/** Everything the payment use cases need, built once in app.ts. */
export interface PaymentContext {
  config: Config;
  logger: Logger;
  redis: Cluster;
  knex: Knex;
  payments: PaymentStore;
  idempotency: IdempotencyStore;
  gateway: PaymentGateway;
  /** Present only when the sandbox is the gateway (its checkout and ledger endpoints). */
  sandbox?: SandboxGateway;
  snapshots: SnapshotClient;
  subscriptions: SubscriptionStore;
  metrics: PaymentMetrics;
}

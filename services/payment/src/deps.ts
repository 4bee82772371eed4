import type { MikroORM } from '@mikro-orm/postgresql';
import type { Verifier } from '@stampede/chassis/auth';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { SalesClient } from './clients/sales';
import type { Psp } from './clients/psp/psp';
import type { SandboxPsp } from './clients/psp/sandbox';
import type { Config } from './config';
import type { BillingKeyCipher } from './domain/billing-cipher';
import type { PaymentMetrics } from './metrics';

/** Everything the payment use cases and routes need, built once in app.ts. */
export interface Deps {
  config: Config;
  logger: Logger;
  redis: Cluster;
  orm: MikroORM;
  verifier: Verifier;
  /** The payment service provider that charges cards, its calls timed into the metrics. */
  psp: Psp;
  /** Present only when the sandbox is the provider (its checkout and ledger endpoints). */
  sandbox?: SandboxPsp;
  sales: SalesClient;
  cipher: BillingKeyCipher;
  metrics: PaymentMetrics;
}

import { describeServiceBoot } from '@stampede/devkit';
import { buildPayment } from '../src/app';
import { configShape } from '../src/config';
import { paymentTestEnv } from './support/env';

describeServiceBoot('payment', configShape, buildPayment, {
  database: 'payment',
  checks: ['redis', 'postgres', 'kafka'],
  env: () => ({ ...paymentTestEnv('http://127.0.0.1:9'), AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' }),
});

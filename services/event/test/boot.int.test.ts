import { describeServiceBoot } from '@stampede/devkit';
import { buildEvent } from '../src/app';
import { configShape } from '../src/config';

// The orders consumer is on and its brokers do not answer: readiness must still be 200, because an
// unreachable Kafka is deliberately not a readiness failure (only a refused credential is).
describeServiceBoot('event', configShape, buildEvent, {
  database: 'event',
  checks: ['redis', 'postgres', 'kafka'],
  env: () => ({
    AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    KAFKA_BROKERS: '127.0.0.1:9',
    ORDERS_CONSUMER_ENABLED: 'true',
  }),
});

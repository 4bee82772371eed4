import { describeServiceBoot } from '@stampede/devkit';
import { buildEvent } from '../src/app';
import { configShape } from '../src/config';

// The orders consumer is on and its brokers do not answer: readiness must still be 200 on Redis
// and PostgreSQL alone, because Kafka is deliberately not a readiness dependency.
describeServiceBoot('event', configShape, buildEvent, {
  database: 'event',
  checks: ['redis', 'postgres'],
  env: () => ({
    AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    KAFKA_BROKERS: '127.0.0.1:9',
    ORDERS_CONSUMER_ENABLED: 'true',
  }),
});

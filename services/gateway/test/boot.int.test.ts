import { describeServiceBoot } from '@stampede/devkit';
import { buildGateway } from '../src/app';
import { configShape } from '../src/config';

describeServiceBoot('gateway', configShape, buildGateway, {
  checks: ['redis'],
  env: () => ({
    AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    UPSTREAM_AUTH: 'http://127.0.0.1:9',
    UPSTREAM_EVENT: 'http://127.0.0.1:9',
    UPSTREAM_ENTRY: 'http://127.0.0.1:9',
    UPSTREAM_PAYMENT: 'http://127.0.0.1:9',
    CSRF_SECRET: 'x'.repeat(32),
    INTERNAL_IDENTITY_KEYS: `boot:${'k'.repeat(43)}`,
  }),
});

import { describeServiceBoot } from '@stampede/devkit';
import { buildAuth } from '../src/app';
import { configShape } from '../src/config';
import { newSigningKey } from './support';

describeServiceBoot('auth', configShape, buildAuth, {
  database: 'auth',
  checks: ['redis', 'postgres'],
  env: () => ({ AUTH_SIGNING_KEYS: JSON.stringify([newSigningKey()]) }),
});

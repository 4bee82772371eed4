import { describeServiceBoot } from '@stampede/devkit';
import { buildAuth } from '../src/app';
import { configShape } from '../src/config';

describeServiceBoot('auth', configShape, buildAuth, { database: 'auth', checks: ['redis', 'postgres'] });

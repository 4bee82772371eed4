import { describeServiceBoot } from '@stampede/devkit';
import { buildEvent } from '../src/app';
import { configShape } from '../src/config';

describeServiceBoot('event', configShape, buildEvent, { database: 'event', checks: ['redis', 'postgres'] });

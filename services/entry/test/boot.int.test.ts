import { describeServiceBoot } from '@stampede/devkit';
import { buildEntry } from '../src/app';
import { configShape } from '../src/config';

describeServiceBoot('entry', configShape, buildEntry, { checks: ['redis'] });

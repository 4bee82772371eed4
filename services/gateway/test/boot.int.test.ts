import { describeServiceBoot } from '@stampede/devkit';
import { buildGateway } from '../src/app';
import { configShape } from '../src/config';

describeServiceBoot('gateway', configShape, buildGateway, { checks: ['redis'] });

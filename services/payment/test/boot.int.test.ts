import { describeServiceBoot } from '@stampede/devkit';
import { buildPayment } from '../src/app';
import { configShape } from '../src/config';

describeServiceBoot('payment', configShape, buildPayment, { database: 'payment', checks: ['redis', 'postgres'] });

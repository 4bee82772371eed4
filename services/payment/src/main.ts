import './instrument';
import { runMain } from '@stampede/chassis';
import { buildPayment } from './app';
import { configShape } from './config';

runMain('payment', configShape, buildPayment);

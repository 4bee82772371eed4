import './instrument';
import { runMain } from '@stampede/chassis/main';
import { buildPayment } from './app';
import { configShape } from './config';

runMain('payment', configShape, buildPayment);

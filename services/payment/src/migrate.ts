// Runs the payment database migrations once (stack migrate step, the chart's init container, test setup).
import { migrateMain } from '@stampede/chassis/main';
import { model } from './store/model';

migrateMain('payment', model);

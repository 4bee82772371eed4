// Runs the payment database migrations once (stack migrate step, Helm hook Job, test setup).
import { migrateMain } from '@stampede/chassis/main';
import { model } from './store/model';

migrateMain('payment', model);

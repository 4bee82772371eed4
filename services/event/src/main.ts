import './instrument';
import { runMain } from '@stampede/chassis';
import { buildEvent } from './app';
import { configShape } from './config';

runMain('event', configShape, buildEvent);

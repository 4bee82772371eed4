import './instrument';
import { runMain } from '@stampede/chassis/main';
import { buildEvent } from './app';
import { configShape } from './config';

runMain('event', configShape, buildEvent);

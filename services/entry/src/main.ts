import './instrument';
import { runMain } from '@stampede/chassis/main';
import { buildEntry } from './app';
import { configShape } from './config';

runMain('entry', configShape, buildEntry);

import './instrument';
import { runMain } from '@stampede/chassis';
import { buildEntry } from './app';
import { configShape } from './config';

runMain('entry', configShape, buildEntry);

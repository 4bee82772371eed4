import './instrument';
import { runMain } from '@stampede/chassis';
import { buildAuth } from './app';
import { configShape } from './config';

runMain('auth', configShape, buildAuth);

import './instrument';
import { runMain } from '@stampede/chassis/main';
import { buildAuth } from './app';
import { configShape } from './config';

runMain('auth', configShape, buildAuth);

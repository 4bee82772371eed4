import './instrument';
import { runMain } from '@stampede/chassis/main';
import { buildGateway } from './app';
import { configShape } from './config';

runMain('gateway', configShape, buildGateway);

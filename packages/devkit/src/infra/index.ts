export * from './processes';
export * from './system';
export * from './redis-cluster';
export * from './postgres';
export * from './kafka-mock';
export * from './prometheus';

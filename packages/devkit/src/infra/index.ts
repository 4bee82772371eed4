export * from './processes';
export * from './system';
export * from './redis-cluster';
export * from './postgres';
export * from './kafka';
export * from './kafka-runtime';
export * from './kafka-topics';
export * from './prometheus';

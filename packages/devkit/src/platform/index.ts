export * from './services';
export * from './replicas';
export * from './env';
export * from './start';

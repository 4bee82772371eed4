export * from './validate';
export * from './errors';
export * from './request-context';
export * from './outage';

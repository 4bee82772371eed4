export * from './validate';
export * from './errors';
export * from './request-context';
export * from './outage';
export * from './early-errors';
export * from './fast';

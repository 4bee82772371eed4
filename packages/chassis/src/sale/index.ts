export * from './layout';
export * from './inventory';

export * from './layout';
export * from './inventory';
export * from './snapshot';
export * from './eligibility';

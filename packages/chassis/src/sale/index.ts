export * from './layout';
export * from './inventory';
export * from './snapshot';
export * from './eligibility';
export * from './token';
export * from './holds';

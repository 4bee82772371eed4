export * from './layout';
export * from './inventory';
export * from './token';
export * from './holds';
export * from './room';

export * from './infra';
export * from './testing';
export * from './platform';
export * from './shoppers';

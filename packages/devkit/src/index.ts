export * from './infra';
export * from './testing';

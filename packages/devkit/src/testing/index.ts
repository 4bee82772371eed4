export * from './infra';
export * from './app';
export * from './spawn';
export * from './http';
export * from './boot';
export * from './issuer';
export * from './invariant';
export * from './tls';

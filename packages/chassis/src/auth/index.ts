export * from './roles';
export * from './sessions';
export * from './verifier';
export * from './middleware';

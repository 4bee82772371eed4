export * from './verifier';
export * from './middleware';

export * from './client';
export * from './flows';

/**
 * The public API as a contract between clients and the services: per area the request schemas
 * the owning service validates with and the response schemas of what it answers, the error body
 * and codes, the headers that carry meaning, and one table of every operation (`API`) from which
 * the gateway builds the OpenAPI document. Only schemas, types and pure rules: no I/O.
 */
export * from './errors';
export * from './headers';
export * from './common';
export * from './auth';
export * from './sales';
export * from './promotions';
export * from './orders';
export * from './audit';
export * from './entries';
export * from './payments';
export * from './subscriptions';
export * from './sandbox';
export * from './gateway';
export * from './table';

/**
 * What crosses a service boundary: the identity a request carries, the sale snapshot event hands
 * to entry and payment, the payment events on Kafka, and the session keys auth writes and every
 * verifier reads. The public API (client to service) is at the sub-path `@stampede/contracts/api`.
 * Only schemas, types and pure rules: no I/O.
 */
export * from './identity';
export * from './sessions';
export * from './sale-snapshot';
export * from './eligibility';
export * from './payment-events';
export * from './login-proof';
export * from './internal-identity';

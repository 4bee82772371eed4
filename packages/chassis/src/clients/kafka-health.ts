import type { ReadinessCheck } from '../health';
import type { Logger } from 'pino';

/** Failures that retrying with the same configuration cannot cure. */
export type KafkaFailureKind = 'authentication' | 'authorization' | 'tls';

const AUTHORIZATION_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const AUTHENTICATION_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);
/** Node's codes for a certificate the client refuses (or a name it does not cover). */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

type ErrorLike = { name?: string; type?: string; code?: string; message?: string; cause?: unknown; originalError?: unknown };

/** kafkajs wraps the error that matters (retries exhausted, connection error): walk the chain. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e: unknown = err;
  while (e && typeof e === 'object' && out.length < 6) {
    const x = e as ErrorLike;
    out.push(x);
    e = x.cause ?? x.originalError;
  }
  return out;
}

export function classifyKafkaFailure(err: unknown): KafkaFailureKind | undefined {
  for (const e of chain(err)) {
    if (e.name === 'KafkaJSSASLAuthenticationError' || (e.type && AUTHENTICATION_TYPES.has(e.type))) return 'authentication';
    if (e.type && AUTHORIZATION_TYPES.has(e.type)) return 'authorization';
    if (e.code && TLS_CODES.has(e.code)) return 'tls';
  }
  return undefined;
}

const HEADLINE: Record<KafkaFailureKind, string> = {
  authentication: 'Kafka authentication failed',
  authorization: 'Kafka authorization failed',
  tls: 'Kafka TLS handshake failed',
};

/**
 * What the service's Kafka clients last learnt about their credentials. Readiness turns false
 * only on failures that retrying cannot cure (wrong password, missing ACL, untrusted certificate):
 * such a replica must not take traffic, and a rollout carrying the mistake stops at its first
 * pod. A broker that is merely unreachable keeps the replica ready, because the outbox and the
 * consumer's offsets absorb an outage without losing anything. Clients keep retrying either way,
 * so a credential fixed on the broker's side (a KafkaUser created late) heals without a restart.
 */
export class KafkaHealth {
  private failure: { kind: KafkaFailureKind; message: string } | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly describe: Record<string, string | undefined> = {},
  ) {}

  /** A client connected (authenticated, when SASL is on). */
  succeeded(client: string): void {
    if (!this.failure) return;
    this.logger.info({ client }, `Kafka ${this.failure.kind} recovered`);
    this.failure = undefined;
  }

  /** A client failed to connect or send; returns the kind when it is one retrying cannot cure. */
  failed(client: string, err: unknown): KafkaFailureKind | undefined {
    const kind = classifyKafkaFailure(err);
    if (!kind) return undefined;
    const message = chain(err).map((e) => e.message).find(Boolean) ?? kind;
    // Logged when the state changes, not on every retry; never with the secret itself.
    if (this.failure?.kind !== kind) this.logger.error({ client, ...this.describe, reason: message }, `${HEADLINE[kind]}; retrying in the background`);
    this.failure = { kind, message };
    return kind;
  }

  readonly check: ReadinessCheck = async () => {
    if (this.failure) throw new Error(`${HEADLINE[this.failure.kind]}: ${this.failure.message}`);
  };
}

import { Writable } from 'node:stream';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { classifyKafkaFailure, KafkaHealth } from '../src/clients/kafka-health';
import { createLogger } from '../src/logger';

function logs() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ service: 'test', destination }), lines };
}

// kafkajs's typings leave out the message these errors are built with.
const saslError = (message: string) => new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)(message);
const protocolError = (type: string, code: number) =>
  Object.assign(new (KafkaJSProtocolError as unknown as new (message: string) => Error)(`broker said ${type}`), { type, code });

describe('Kafka failures that retrying cannot cure', () => {
  it.each([
    ['a refused SASL login', saslError('SASL SCRAM SHA512 authentication failed: invalid credentials'), 'authentication'],
    ['a SASL failure the broker reports by code', protocolError('SASL_AUTHENTICATION_FAILED', 58), 'authentication'],
    ['a missing group ACL', protocolError('GROUP_AUTHORIZATION_FAILED', 30), 'authorization'],
    ['an untrusted certificate, after retries', new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: self-signed certificate', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), { retryCount: 5, retryTime: 100 }), 'tls'],
    ['a certificate for another host', new KafkaJSConnectionError('Connection error: altname', { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls'],
    ['a refused connection', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', { code: 'ECONNREFUSED' }), undefined],
    ['a request timeout', new Error('Request Produce(key: 0, version: 7) timed out'), undefined],
    ['a leader change', protocolError('NOT_LEADER_OR_FOLLOWER', 6), undefined],
  ])('when the error is %s, then it is classified as %p', (_what, err, kind) => {
    expect(classifyKafkaFailure(err)).toBe(kind);
  });
});

describe('Kafka readiness', () => {
  it('when a client reports a refused credential, then the check fails once logged, and passes again after a successful connect', async () => {
    const { logger, lines } = logs();
    const health = new KafkaHealth(logger, { saslUsername: 'payment' });
    await expect(health.check()).resolves.toBeUndefined();

    const refused = saslError('SASL SCRAM SHA512 authentication failed: invalid credentials');
    expect(health.failed('producer', refused)).toBe('authentication');
    expect(health.failed('producer', refused)).toBe('authentication');
    await expect(health.check()).rejects.toThrow(/^Kafka authentication failed: SASL SCRAM SHA512/);
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: expect.stringMatching(/^Kafka authentication failed/), client: 'producer', saslUsername: 'payment' });

    health.succeeded('producer');
    await expect(health.check()).resolves.toBeUndefined();
  });

  it('when brokers are only unreachable, then readiness is unaffected', async () => {
    const health = new KafkaHealth(logs().logger);
    expect(health.failed('consumer', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', { code: 'ECONNREFUSED' }))).toBeUndefined();
    await expect(health.check()).resolves.toBeUndefined();
  });
});

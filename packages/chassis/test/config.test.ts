import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnection } from '../src/clients/kafka';
import {
  baseConfigShape,
  ConfigError,
  kafkaConfigShape,
  loadConfig,
  postgresConfigShape,
  redisConfigShape,
  requiredVariables,
} from '../src/config';

const shape = { ...baseConfigShape, ...redisConfigShape, ...postgresConfigShape, ...kafkaConfigShape };
const good = {
  REDIS_NODES: '127.0.0.1:7000,127.0.0.1:7001',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  KAFKA_BROKERS: 'localhost:9092',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(shape, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.variable);
    throw e;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('when every variable is well-formed, then it is parsed into typed values with defaults', () => {
    const config = loadConfig(shape, good);
    expect(config.REDIS_NODES).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
    ]);
    expect(config.KAFKA_BROKERS).toEqual(['localhost:9092']);
    expect(config.PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('when a required variable is missing, then the error names it', () => {
    const { DATABASE_URL: _omit, ...env } = good;
    expect(problemsOf(env)).toEqual(['DATABASE_URL']);
  });

  it.each([
    ['REDIS_NODES', 'not-a-host-port'],
    ['REDIS_NODES', '127.0.0.1:99999'],
    ['DATABASE_URL', 'mysql://x'],
    ['PORT', 'eighty'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT', 'huge'],
  ])('when %s is %p, then the error names that variable', (variable, value) => {
    expect(problemsOf({ ...good, [variable]: value })).toEqual([variable]);
  });

  it('when several variables are wrong, then every one is named in the message', () => {
    try {
      loadConfig(shape, { ...good, PORT: '-1', REDIS_NODES: '' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/REDIS_NODES/);
    }
  });

  describe('Kafka authentication and TLS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stampede-config-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const scram = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'payment', KAFKA_SASL_PASSWORD: 'pw-0123456789', KAFKA_SSL: 'true' };

    it('when SCRAM over TLS with a CA file is configured, then the client gets the mechanism, the credential and the CA', () => {
      const config = loadConfig(shape, { ...good, ...scram, KAFKA_SSL_CA_FILE: ca });
      const connection = kafkaConnection(config);
      expect(connection.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'payment', password: 'pw-0123456789' });
      expect(connection.ssl).toEqual({ ca: [readFileSync(ca, 'utf8')] });
    });

    it('when nothing is configured, then the client connects in plain text without SASL', () => {
      const connection = kafkaConnection(loadConfig(shape, good));
      expect(connection).toEqual({ brokers: ['localhost:9092'] });
    });

    it('when KAFKA_SSL is true without a CA file, then the system CAs are used', () => {
      expect(kafkaConnection(loadConfig(shape, { ...good, KAFKA_SSL: 'true' })).ssl).toBe(true);
    });

    it.each([
      [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'payment' }, ['KAFKA_SASL_PASSWORD']],
      [{ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'pw-0123456789' }, ['KAFKA_SASL_USERNAME']],
      [{ KAFKA_SASL_USERNAME: 'payment', KAFKA_SASL_PASSWORD: 'pw-0123456789' }, ['KAFKA_SASL_MECHANISM']],
      [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'payment', KAFKA_SASL_PASSWORD: 'pw-0123456789' }, ['KAFKA_SASL_MECHANISM']],
      [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'payment', KAFKA_SASL_PASSWORD: 'pw-0123456789' }, ['KAFKA_SASL_MECHANISM']],
      [{ KAFKA_SSL: 'yes' }, ['KAFKA_SSL']],
      [{ KAFKA_SSL_CA_FILE: ca }, ['KAFKA_SSL_CA_FILE']],
      [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') }, ['KAFKA_SSL_CA_FILE']],
      [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: notPem }, ['KAFKA_SSL_CA_FILE']],
    ])('when the Kafka security variables are %p, then the error names %p', (env, variables) => {
      expect(problemsOf({ ...good, ...env })).toEqual(variables);
    });

    it('when a credential is incomplete, then the message names the missing variable and never echoes the password', () => {
      try {
        loadConfig(shape, { ...good, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'hunter2-secret' });
        throw new Error('expected a ConfigError');
      } catch (e) {
        expect((e as Error).message).toMatch(/KAFKA_SASL_USERNAME/);
        expect((e as Error).message).not.toContain('hunter2-secret');
      }
    });
  });

  it('lists the variables without which a service cannot start', () => {
    expect(requiredVariables(shape)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_NODES']);
  });
});

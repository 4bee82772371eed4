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

  it('lists the variables without which a service cannot start', () => {
    expect(requiredVariables(shape)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_NODES']);
  });
});

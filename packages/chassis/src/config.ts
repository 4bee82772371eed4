import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseIdentityKeys } from '@stampede/contracts';

/**
 * Configuration is read from the environment once, at start-up. A wrong or missing variable
 * stops the process with a message that names it, before anything listens or connects.
 */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; problem: string }[]) {
    super(
      'Invalid configuration:\n' + issues.map((i) => `  - ${i.variable}: ${i.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Variables every service reads. */
export const baseConfigShape = {
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: logLevel.default('info'),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 64kb').default('64kb'),
  /** Time between readiness turning false and the listener closing, for load balancers to notice. */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Upper bound for in-flight requests to finish after SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Reverse proxies in front of this process whose X-Forwarded-For entry is trusted. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(1),
};

/** host:port,host:port list, e.g. REDIS_NODES or KAFKA_BROKERS. */
export const hostPortList = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    const items = s.split(',').map((x) => x.trim()).filter(Boolean);
    const parsed = items.map((item) => {
      const m = /^([^\s:]+|\[[^\]]+\]):(\d{1,5})$/.exec(item);
      if (!m || Number(m[2]) > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port` });
        return null;
      }
      return { host: m[1] as string, port: Number(m[2]) };
    });
    return parsed.filter((p): p is { host: string; port: number } => p !== null);
  })
  .refine((l) => l.length > 0, 'expected at least one host:port');

export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// URL');

export const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '(unknown)'),
        problem: i.message,
      })),
    );
  }
  const crossField = CROSS_FIELD_RULES.flatMap((rule) => rule(result.data as Record<string, unknown>));
  if (crossField.length) throw new ConfigError(crossField);
  return result.data;
}

/** For main.ts: print the problem and exit non-zero instead of throwing a stack trace. */
export function loadConfigOrExit<S extends z.ZodRawShape>(
  service: string,
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  try {
    return loadConfig(shape, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`[${service}] ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}

/** The variables a service cannot start without: used by the chart check to prevent drift. */
export function requiredVariables(shape: z.ZodRawShape): string[] {
  return Object.entries(shape)
    .filter(([, schema]) => !(schema as z.ZodType).safeParse(undefined).success)
    .map(([name]) => name)
    .sort();
}

/** Fragments shared by the services that use each store. */
export const redisConfigShape = {
  REDIS_NODES: hostPortList,
  REDIS_PASSWORD: z.string().min(1).optional(),
};

export const postgresConfigShape = {
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** CA bundle (PEM) the server's certificate is verified against, for sslmode=verify-ca/verify-full. */
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
};

/** A readable file holding at least one PEM certificate (a CA bundle). */
const pemCertificateFile = z.string().min(1).superRefine((path, ctx) => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
    return;
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) ctx.addIssue({ code: 'custom', message: `${path} holds no PEM certificate` });
});

export const kafkaConfigShape = {
  KAFKA_BROKERS: hostPortList.transform((l) => l.map((b) => `${b.host}:${b.port}`)),
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(10_000),
  KAFKA_CONSUMER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** SASL on the client connection; unset means none. Username and password come with it. */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers; the CA is the system's unless KAFKA_SSL_CA_FILE names a PEM bundle. */
  KAFKA_SSL: booleanFlag.default(false),
  KAFKA_SSL_CA_FILE: pemCertificateFile.optional(),
};

export type KafkaConfig = z.infer<z.ZodObject<typeof kafkaConfigShape>>;

type Issue = { variable: string; problem: string };

/**
 * Half a credential is a deployment mistake that would otherwise surface as a connection that
 * silently never authenticates, so it stops the service at start-up like any bad variable.
 */
function kafkaSecurityIssues(c: Record<string, unknown>): Issue[] {
  if (!('KAFKA_SSL' in c)) return []; // this service does not use Kafka
  const issues: Issue[] = [];
  const mechanism = c.KAFKA_SASL_MECHANISM as string | undefined;
  if (mechanism) {
    if (!c.KAFKA_SASL_USERNAME) issues.push({ variable: 'KAFKA_SASL_USERNAME', problem: `required when KAFKA_SASL_MECHANISM is set` });
    if (!c.KAFKA_SASL_PASSWORD) issues.push({ variable: 'KAFKA_SASL_PASSWORD', problem: `required when KAFKA_SASL_MECHANISM is set` });
    // PLAIN sends the password itself; SCRAM never does.
    if (mechanism === 'plain' && c.KAFKA_SSL !== true) issues.push({ variable: 'KAFKA_SASL_MECHANISM', problem: 'plain sends the password in clear text: it needs KAFKA_SSL=true' });
  } else if (c.KAFKA_SASL_USERNAME || c.KAFKA_SASL_PASSWORD) {
    issues.push({ variable: 'KAFKA_SASL_MECHANISM', problem: 'required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (scram-sha-512, scram-sha-256 or plain)' });
  }
  if (c.KAFKA_SSL_CA_FILE && c.KAFKA_SSL !== true) issues.push({ variable: 'KAFKA_SSL_CA_FILE', problem: 'set, but KAFKA_SSL is not true' });
  return issues;
}

/** Rules over several variables, run after each variable parsed on its own. */
const CROSS_FIELD_RULES: Array<(config: Record<string, unknown>) => Issue[]> = [kafkaSecurityIssues];

/** Secret: `kid:base64url,…` (first active, each ≥ 32 bytes), shared by the gateway and the services. */
export const identityKeys = z.string().transform((s, ctx) => {
  try {
    return parseIdentityKeys(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/** Services accept the gateway's identity header only when they hold its keys. */
export const identityKeysSetting = identityKeys.optional();

/**
 * How a service knows who calls: auth's JWKS, issuer and audience for access tokens, and the keys
 * of the gateway's identity header (one HMAC instead of a second ECDSA check per request).
 */
export const authVerifyConfigShape = {
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }),
  AUTH_ISSUER: z.string().min(1).default('stampede-auth'),
  AUTH_AUDIENCE: z.string().min(1).default('stampede'),
  INTERNAL_IDENTITY_KEYS: identityKeysSetting,
};

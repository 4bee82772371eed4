import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ServiceSpec } from './services';

/** What a service's local environment is made from. */
export interface EnvContext {
  redisNodes: string;
  kafkaBrokers: string;
  databaseUrl(database: string): string;
  /** Base URLs of every replica of a service. */
  urlsOf(service: string): string[];
  /** Filled with what a developer or a test needs to know (the admin's credentials, the webhook secret). */
  secrets: Record<string, string>;
  /** INTERNAL_IDENTITY_KEYS: the gateway signs its identity header with it, every service checks it. */
  identityKeys: string;
}

/** A fresh identity key for one platform (never committed, never reused). */
export const newIdentityKeys = () => `local:${randomBytes(32).toString('base64url')}`;

/**
 * The variables a service's `uses` and `calls` decide, as the chart sets them: REDIS_NODES,
 * DATABASE_URL, KAFKA_BROKERS, and auth's JWKS for every service that calls auth; and the
 * identity key every service shares with the gateway.
 */
function wiring(s: ServiceSpec, ctx: EnvContext): Record<string, string> {
  return {
    INTERNAL_IDENTITY_KEYS: ctx.identityKeys,
    ...(s.uses.includes('redis') ? { REDIS_NODES: ctx.redisNodes } : {}),
    ...(s.database ? { DATABASE_URL: ctx.databaseUrl(s.database) } : {}),
    ...(s.uses.includes('kafka') ? { KAFKA_BROKERS: ctx.kafkaBrokers } : {}),
    ...(s.calls.includes('auth') ? { AUTH_JWKS_URL: `${ctx.urlsOf('auth')[0]}/.well-known/jwks.json` } : {}),
  };
}

/**
 * The signing key and the initial admin's password are made fresh for every platform (never
 * committed, never reused) and shared by all auth replicas.
 */
function auth(_s: ServiceSpec, ctx: EnvContext): Record<string, string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `local-${randomBytes(4).toString('hex')}` };
  ctx.secrets.adminEmail = 'admin@stampede.local';
  ctx.secrets.adminPassword = `${randomBytes(18).toString('base64url')}-1`;
  return { AUTH_SIGNING_KEYS: JSON.stringify([signingKey]), ADMIN_EMAIL: ctx.secrets.adminEmail, ADMIN_PASSWORD: ctx.secrets.adminPassword };
}

const event = (): Record<string, string> => ({ ORDERS_CONSUMER_GROUP: 'event-orders' });

const entry = (_s: ServiceSpec, ctx: EnvContext): Record<string, string> => ({ EVENT_URL: ctx.urlsOf('event')[0] as string });

/** The sandbox PG, and secrets shared by the replicas (the webhook secret lets a developer sign test deliveries). */
function payment(_s: ServiceSpec, ctx: EnvContext): Record<string, string> {
  ctx.secrets.paymentWebhookSecret = randomBytes(32).toString('base64url');
  return {
    EVENT_URL: ctx.urlsOf('event')[0] as string,
    PG_PROVIDER: 'sandbox',
    WEBHOOK_SECRET: ctx.secrets.paymentWebhookSecret,
    BILLING_KEY_ENCRYPTION_KEYS: `local1:${randomBytes(32).toString('base64')}`,
    BILLING_KEY_ACTIVE_KEY_ID: 'local1',
  };
}

/** Every replica of every service it calls, balanced. */
function gateway(s: ServiceSpec, ctx: EnvContext): Record<string, string> {
  return {
    ...Object.fromEntries(s.calls.map((c) => [`UPSTREAM_${c.toUpperCase()}`, ctx.urlsOf(c).join(',')])),
    CSRF_SECRET: randomBytes(32).toString('base64url'),
    CORS_ORIGINS: 'http://localhost:3000',
    // Plain HTTP on loopback: browsers drop Secure cookies there.
    COOKIE_SECURE: 'false',
    // Nothing in front of the gateway locally: the socket's address is the client's.
    TRUST_PROXY_HOPS: '0',
    SANDBOX_ROUTES: 'true',
  };
}

const OWN: Record<string, (s: ServiceSpec, ctx: EnvContext) => Record<string, string>> = { auth, event, entry, payment, gateway };

/** A service's environment on one machine: its wiring, then what only it needs. */
export function serviceEnv(s: ServiceSpec, ctx: EnvContext): Record<string, string> {
  return { ...wiring(s, ctx), ...OWN[s.name]?.(s, ctx) };
}

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createLogger } from '@stampede/chassis/logger';
import { http, startApp, testStoreEnv, type StartedApp } from '@stampede/devkit';
import { decodeJwt, type JWK } from 'jose';
import { buildAuth } from '../src/app';
import { configShape } from '../src/config';

/** A fresh ES256 private JWK, as an operator would put into AUTH_SIGNING_KEYS. */
export function newSigningKey(kid = `k-${randomUUID().slice(0, 8)}`): JWK & { kid: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid };
}

export interface AuthUnderTest extends StartedApp {
  keys: (JWK & { kid: string })[];
}

/** The auth service in-process against the test Redis Cluster and PostgreSQL. */
export async function startAuth(env: Record<string, string> = {}, opts: { keys?: (JWK & { kid: string })[]; logger?: Logger } = {}): Promise<AuthUnderTest> {
  const keys = opts.keys ?? [newSigningKey()];
  const app = await startApp(
    configShape,
    buildAuth,
    { ...testStoreEnv('auth'), AUTH_SIGNING_KEYS: JSON.stringify(keys), ...env },
    opts.logger ?? createLogger({ service: 'auth-test', level: 'silent' }),
  );
  return { ...app, keys };
}

export const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID()}@example.test`;
export const PASSWORD = 'correct-horse-42';

/** A client IP of its own per test, so per-IP login limits of parallel tests never collide. */
export const clientIp = () => `10.${rnd()}.${rnd()}.${rnd()}`;
const rnd = () => Math.floor(Math.random() * 254) + 1;

export async function signUp(url: string, email = uniqueEmail(), password = PASSWORD) {
  const res = await http('POST', `${url}/users`, { body: { email, password } });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, email, password };
}

export async function login(url: string, email: string, password = PASSWORD, ip = clientIp()) {
  return http('POST', `${url}/auth/login`, { body: { email, password }, headers: { 'x-forwarded-for': ip } });
}

/** Signs up and logs in: { id, email, accessToken, refreshToken, sid }. */
export async function newUser(url: string) {
  const u = await signUp(url);
  const res = await login(url, u.email);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { accessToken, refreshToken } = res.body as { accessToken: string; refreshToken: string };
  return { ...u, accessToken, refreshToken, sid: String(decodeJwt(accessToken).sid) };
}

/** GET /users/:id with a token: the simplest request that needs a live session. */
export const whoAmI = (url: string, id: string, token: string) => http('GET', `${url}/users/${id}`, { token });

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Endpoint } from '../platform/replicas';

/** The repository root, from here (src/cli or dist/cli of packages/devkit). */
export const ROOT = resolve(__dirname, '..', '..', '..', '..');

/** Where the local stack keeps its data, logs and the two files below. */
export const STACK_DIR = join(ROOT, '.stampede', 'stack');

/**
 * While the stack runs: its URLs (endpoints.json) and the secrets made for this run
 * (secrets.json: the admin's credentials, the webhook secret), for the demo and for a developer.
 * Both are removed when the stack stops.
 */
const files = (dir: string) => ({ endpoints: join(dir, 'endpoints.json'), secrets: join(dir, 'secrets.json') });

export interface StackSecrets {
  adminEmail: string;
  adminPassword: string;
  paymentWebhookSecret?: string;
}

export interface RunningStack {
  endpoints: Endpoint[];
  secrets: StackSecrets;
  url(name: string): string;
}

export function writeStackState(dir: string, endpoints: Endpoint[], secrets: Record<string, string>): void {
  writeFileSync(files(dir).secrets, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  writeFileSync(files(dir).endpoints, JSON.stringify(endpoints, null, 2));
}

export function removeStackState(dir: string): void {
  for (const f of Object.values(files(dir))) rmSync(f, { force: true });
}

export const NOT_RUNNING = 'the local stack is not running: start it with ./scripts/up.sh';

/**
 * The running stack's URLs and secrets. Its files alone are not proof (a stack killed with
 * SIGKILL leaves them behind), so the gateway must answer too; otherwise the error says to start
 * the stack rather than showing a connection error.
 */
export async function runningStack(dir: string): Promise<RunningStack> {
  let endpoints: Endpoint[];
  let secrets: StackSecrets;
  try {
    endpoints = JSON.parse(readFileSync(files(dir).endpoints, 'utf8')) as Endpoint[];
    secrets = JSON.parse(readFileSync(files(dir).secrets, 'utf8')) as StackSecrets;
  } catch {
    throw new Error(NOT_RUNNING);
  }
  const url = (name: string) => {
    const found = endpoints.find((e) => e.name === name || e.name === `${name}-1`);
    if (!found) throw new Error(`${join(dir, 'endpoints.json')} lists no ${name}`);
    return found.url;
  };
  try {
    await fetch(`${url('gateway')}/healthz`, { signal: AbortSignal.timeout(3_000) });
  } catch {
    throw new Error(NOT_RUNNING);
  }
  return { endpoints, secrets, url };
}

import { join } from 'node:path';
import { waitFor, type ProcessGroup } from '../infra/processes';
import type { ServiceSpec } from './services';

export interface Endpoint {
  name: string;
  url: string;
}

/** Replica counts on one machine: entry and payment run two, so every test and the stack see more than one of each. */
const LOCAL_REPLICAS: Record<string, number> = { entry: 2, payment: 2 };

export type Replicas = Partial<Record<string, number>>;

/** `entry=3,payment=2` as the stack's and the benchmark's --replicas take it. */
export function parseReplicas(spec: string | undefined): Replicas {
  const out: Replicas = {};
  for (const part of (spec ?? '').split(',').filter(Boolean)) {
    const [name, n] = part.split('=');
    if (!name || !n || !/^\d+$/.test(n) || Number(n) < 1) throw new Error(`bad --replicas entry "${part}" (expected name=N)`);
    out[name] = Number(n);
  }
  return out;
}

export const replicasOf = (replicas: Replicas, name: string): number => replicas[name] ?? LOCAL_REPLICAS[name] ?? 1;

/** Replica i of a service listens on the chart's port + 10·i, shifted by the offset (8083, 8093, ...). */
export const replicaPort = (s: ServiceSpec, i: number, offset: number): number => s.port + 10 * i + offset;

/** A replica's name: the service's when it runs alone, `entry-1`, `entry-2`, ... otherwise. */
export const replicaName = (s: ServiceSpec, i: number, count: number): string => (count > 1 ? `${s.name}-${i + 1}` : s.name);

/** The URLs of every replica of every service, known before any starts (the gateway needs them). */
export function serviceUrls(services: ServiceSpec[], replicas: Replicas, offset: number): (name: string) => string[] {
  return (name) => {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`no service named ${name} in the chart's values`);
    return Array.from({ length: replicasOf(replicas, name) }, (_, i) => `http://127.0.0.1:${replicaPort(s, i, offset)}`);
  };
}

export interface ReplicaOptions {
  root: string;
  group: ProcessGroup;
  services: ServiceSpec[];
  replicas: Replicas;
  offset: number;
  /** 'dist' runs the build (the stack, the benchmark); 'tsx' runs the sources (tests, no build needed). */
  runner: 'dist' | 'tsx';
  logLevel: string;
  /** Each service's own environment. */
  envOf(s: ServiceSpec): Record<string, string>;
  /** Last, over everything: the caller's extra variables for every service. */
  env: Record<string, string>;
}

/** `node` arguments that run a service's file (`main`, `migrate`) with the chosen runner. */
export function serviceScript(root: string, service: string, file: 'main' | 'migrate', runner: 'dist' | 'tsx'): string[] {
  return runner === 'dist'
    ? [join(root, 'services', service, 'dist', `${file}.js`)]
    : ['--import', 'tsx', join(root, 'services', service, 'src', `${file}.ts`)];
}

/** Starts every replica of every service and waits until each /readyz is 200. */
export async function startReplicas(o: ReplicaOptions): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (const s of o.services) {
    const count = replicasOf(o.replicas, s.name);
    const env = o.envOf(s);
    for (let i = 0; i < count; i++) {
      const port = replicaPort(s, i, o.offset);
      const name = replicaName(s, i, count);
      o.group.start(name, process.execPath, serviceScript(o.root, s.name, 'main', o.runner), {
        cwd: o.root,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: o.logLevel, PORT: String(port), HOST: '127.0.0.1', ...env, ...o.env },
      });
      endpoints.push({ name, url: `http://127.0.0.1:${port}` });
    }
  }
  await Promise.all(
    endpoints.map((e) =>
      waitFor(`${e.name} /readyz (log: ${join(o.group.logDir, `${e.name}.log`)})`, async () => (await fetch(`${e.url}/readyz`)).ok, 60_000, 200),
    ),
  );
  return endpoints;
}

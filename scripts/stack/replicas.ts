import { join } from 'node:path';
import { waitFor, type ProcessGroup } from '@stampede/devkit';
import { replicaPort, SERVICES, type ServiceName, type StackContext } from './services';

export interface Endpoint {
  name: string;
  url: string;
}

export interface ReplicaOptions {
  root: string;
  group: ProcessGroup;
  /** Shifts every service port (8080 + offset, ...). */
  offset: number;
  replicas: Partial<Record<ServiceName, number>>;
  logLevel: string;
  /** 'dist' runs the build (the stack); 'tsx' runs the sources (tests, no build needed). */
  runner: 'dist' | 'tsx';
  env?: Record<string, string>;
  /** Where each replica's log goes, for error messages. */
  logDir: string;
}

export const replicasOf = (o: Pick<ReplicaOptions, 'replicas'>, name: ServiceName) =>
  o.replicas[name] ?? (SERVICES.find((s) => s.name === name)?.replicas as number);

/** The URLs every replica will have, known before any starts (the gateway needs them). */
export function serviceUrls(o: Pick<ReplicaOptions, 'replicas' | 'offset'>, name: ServiceName): string[] {
  const s = SERVICES.find((x) => x.name === name);
  if (!s) return [];
  return Array.from({ length: replicasOf(o, name) }, (_, i) => `http://127.0.0.1:${replicaPort(s, i, o.offset)}`);
}

/** Starts every replica of every service and waits until each /readyz is 200. */
export async function startReplicas(o: ReplicaOptions, ctx: StackContext): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  const envs = new Map(SERVICES.map((s) => [s.name, s.env(ctx)]));
  for (const s of SERVICES) {
    const count = replicasOf(o, s.name);
    for (let i = 0; i < count; i++) {
      const port = replicaPort(s, i, o.offset);
      const name = count > 1 ? `${s.name}-${i + 1}` : s.name;
      const args =
        o.runner === 'dist'
          ? [join(o.root, 'services', s.name, 'dist', 'main.js')]
          : ['--import', 'tsx', join(o.root, 'services', s.name, 'src', 'main.ts')];
      o.group.start(name, process.execPath, args, {
        cwd: o.root,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'development',
          LOG_LEVEL: o.logLevel,
          PORT: String(port),
          HOST: '127.0.0.1',
          ...envs.get(s.name),
          ...o.env,
        },
      });
      endpoints.push({ name, url: `http://127.0.0.1:${port}` });
    }
  }
  await Promise.all(
    endpoints.map((e) =>
      waitFor(`${e.name} /readyz (log: ${join(o.logDir, e.name + '.log')})`, async () => (await fetch(`${e.url}/readyz`)).ok, 60_000, 200),
    ),
  );
  return endpoints;
}

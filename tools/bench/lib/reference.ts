/**
 * The reference of the benchmark's ratios, started beside the platform on ports of its own: a
 * standalone redis-server and the naive server (tools/bench/reference-server.ts). Its bursts are
 * measured like Stampede's, alternating with them in the same run.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor, type ProcessGroup } from '@stampede/devkit';

export interface Reference {
  url: string;
  /** Process id → name, for CPU accounting (the server and its Redis). */
  roots(): Map<number, string>;
  /** A fresh sale of `seats` seats. */
  open(saleId: string, seats: number): Promise<void>;
  /** Seats left and buyers recorded, for the correctness check. */
  sold(saleId: string): Promise<{ left: number; buyers: number }>;
  close(): void;
}

export async function startReference(o: { root: string; group: ProcessGroup; port: number; redisPort: number }): Promise<Reference> {
  const redisProc = o.group.start('reference-redis', 'redis-server', ['--port', String(o.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  const server = o.group.start('reference', process.execPath, ['--import', 'tsx', join(o.root, 'tools/bench/reference-server.ts')], {
    cwd: o.root,
    env: { PATH: process.env.PATH ?? '', PORT: String(o.port), REDIS_PORT: String(o.redisPort), NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${o.port}`;
  await waitFor('the reference server', async () => (await fetch(`${url}/readyz`)).ok, 30_000, 100);
  const redis = new Redis({ host: '127.0.0.1', port: o.redisPort });
  return {
    url,
    roots: () => new Map([[redisProc.child.pid as number, 'reference-redis'], [server.child.pid as number, 'reference']]),
    async open(saleId, seats) {
      await redis.set(`stock:${saleId}`, seats);
    },
    async sold(saleId) {
      return { left: Number(await redis.get(`stock:${saleId}`)), buyers: await redis.scard(`buyers:${saleId}`) };
    },
    close: () => redis.disconnect(),
  };
}

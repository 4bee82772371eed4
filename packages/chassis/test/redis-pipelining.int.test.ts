import type { Cluster, Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { testInfra } from '@stampede/devkit';
import { closeCluster, createRedisCluster } from '../src/clients/redis';

/**
 * The cluster client every service uses sends the commands of one event-loop turn to a node as
 * one write (a syscall each was the gateway's largest cost under a stampede), and every command
 * still gets its own answer. On the test harness's real Redis Cluster.
 */
describe('Redis Cluster client: commands of one turn share a write', () => {
  let redis: Cluster;
  const writes = new Map<Redis, number>();

  beforeAll(async () => {
    const nodes = testInfra().redisNodes.split(',').map((hp) => ({ host: hp.split(':')[0] as string, port: Number(hp.split(':')[1]) }));
    redis = createRedisCluster({ nodes });
    await redis.ping();
  });
  afterAll(() => closeCluster(redis));

  /** Counts socket writes to every master from now on. */
  async function countWrites(): Promise<() => number> {
    const masters = redis.nodes('master');
    await Promise.all(masters.map((m) => m.ping()));
    for (const m of masters) {
      writes.set(m, 0);
      const stream = m.stream;
      if ((stream as { counted?: boolean }).counted) continue;
      const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
      Object.assign(stream, { counted: true, write: (...a: unknown[]) => (writes.set(m, (writes.get(m) ?? 0) + 1), write(...a)) });
    }
    return () => [...writes.values()].reduce((s, n) => s + n, 0);
  }

  it('when 200 requests each send a command to one shard at once, then the shard gets a few writes and every request its own answer', async () => {
    const tag = `{pl-${randomUUID()}}`;
    const total = await countWrites();

    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => redis.incrby(`${tag}:k${i}`, i + 1)));

    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // One command per write would be 200.
    expect(total()).toBeLessThanOrEqual(5);
  });

  it('when a script not yet loaded on the node is called 50 times at once, then every call runs it once and answers', async () => {
    const tag = `{pl-${randomUUID()}}`;
    // A script body no node has seen (its text differs), so its first call meets NOSCRIPT handling.
    const lua = `-- ${randomUUID()}\nreturn redis.call('INCR', KEYS[1])`;
    const r = redis as Cluster & { plIncr(key: string): Promise<number> };
    redis.defineCommand('plIncr', { numberOfKeys: 1, lua });

    const answers = await Promise.all(Array.from({ length: 50 }, () => r.plIncr(`${tag}:n`)));

    expect([...answers].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await redis.get(`${tag}:n`)).toBe('50');
  });

  it('when requests hit keys on every shard at once, then each shard answers its own keys', async () => {
    const keys = Array.from({ length: 300 }, () => `pl-${randomUUID()}`);
    await Promise.all(keys.map((k, i) => redis.set(k, String(i), 'PX', 60_000)));
    expect(await Promise.all(keys.map((k) => redis.get(k)))).toEqual(keys.map((_, i) => String(i)));
  });
});

import type { Cluster } from 'ioredis';
import { authenticate, createVerifier, principalOf } from '@stampede/chassis/auth';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { createLogger } from '@stampede/chassis/logger';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService } from '@stampede/chassis/service';
import { testInfra } from '@stampede/devkit';

/**
 * A stand-in for any other Stampede service: it knows only auth's JWKS URL (no key, no database)
 * and guards one route with the chassis verifier, exactly as event, entry and payment do.
 */
export async function startOtherService(jwksUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const nodes = testInfra().redisNodes.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host: host!, port: Number(port) };
  });
  const redis: Cluster = createRedisCluster({ nodes });
  const verifier = createVerifier({ jwksUrl, issuer: 'stampede-auth', audience: 'stampede', redis });
  const service = createService({
    name: 'other',
    logger: createLogger({ service: 'other', level: 'silent' }),
    metrics: createMetrics('other'),
    routes: (app) => {
      app.get('/whoami', authenticate(verifier), (req, res) => {
        res.json(principalOf(req));
      });
    },
    closers: [() => redis.quit()],
  });
  await service.listen(0, '127.0.0.1');
  return { url: service.url(), stop: () => service.shutdown('test done') };
}

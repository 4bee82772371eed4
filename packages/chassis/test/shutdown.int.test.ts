import { resolve } from 'node:path';
import { spawnTs } from '@stampede/devkit';

const root = resolve(__dirname, '../../..');

describe('graceful shutdown', () => {
  it('when SIGTERM arrives during a slow request, then it completes, new requests are refused and the process exits 0', async () => {
    const svc = await spawnTs(root, 'packages/chassis/test/fixtures/slow-server.ts', { SLOW_MS: '1500' }, { readyPath: '/healthz' });
    const slow = fetch(`${svc.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 300));
    svc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));

    const refused = await fetch(`${svc.url}/healthz`).then(
      (r) => `status ${r.status}`,
      () => 'refused',
    );
    expect(refused === 'refused' || refused === 'status 503').toBe(true);

    await expect(slow).resolves.toEqual({ status: 200, body: { finished: true } });
    await expect(svc.exited).resolves.toBe(0);
    expect(svc.output()).toContain('closers ran');
  });
});

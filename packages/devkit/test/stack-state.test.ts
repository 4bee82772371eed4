import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOT_RUNNING, removeStackState, runningStack, writeStackState } from '../src/cli/stack-state';
import { freePort } from '../src/testing/spawn';

describe("the demo's check that the local stack is running", () => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-stack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const secrets = { adminEmail: 'admin@stampede.local', adminPassword: 'pw' };

  it('when the stack left no files, then it says the stack is not running and how to start it', async () => {
    removeStackState(dir);
    await expect(runningStack(dir)).rejects.toThrow(NOT_RUNNING);
    expect(NOT_RUNNING).toBe('the local stack is not running: start it with ./scripts/up.sh');
  });

  it('when the files name a gateway whose port is closed, then it says the stack is not running instead of ECONNREFUSED', async () => {
    const closed = await freePort();
    writeStackState(dir, [{ name: 'gateway', url: `http://127.0.0.1:${closed}` }, { name: 'auth', url: 'http://127.0.0.1:1' }], secrets);
    await expect(runningStack(dir)).rejects.toThrow(NOT_RUNNING);
  });

  it('when the gateway answers, then the URLs and secrets of the run are returned', async () => {
    const server: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      writeStackState(dir, [{ name: 'gateway', url: gateway }, { name: 'auth-1', url: 'http://127.0.0.1:1' }], secrets);
      const stack = await runningStack(dir);
      expect([stack.url('gateway'), stack.url('auth'), stack.secrets]).toEqual([gateway, 'http://127.0.0.1:1', secrets]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

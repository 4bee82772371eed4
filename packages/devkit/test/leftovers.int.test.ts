import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { portFree, reapLeftovers, waitFor } from '../src';

/**
 * A run killed mid-way (SIGKILL of the process that started the servers) must not break the next:
 * its servers keep their ports until the next start reaps them.
 */
describe('servers a killed run left behind', () => {
  const root = resolve(__dirname, '..', '..', '..');
  const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 95;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stampede-leftovers-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A runner that starts a Redis and a PostgreSQL through the devkit, says so, then waits to be killed. */
  function killedRun(): Promise<{ pgLink: string }> {
    const script = join(dir, 'run.ts');
    writeFileSync(
      script,
      `import { join } from 'node:path';
import { ProcessGroup, startPostgres, waitFor } from ${JSON.stringify(join(root, 'packages/devkit/src'))};
(async () => {
  const group = new ProcessGroup(join(${JSON.stringify(dir)}, 'logs'));
  group.start('redis', 'redis-server', ['--port', '${base}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await startPostgres({ dir: join(${JSON.stringify(dir)}, 'postgres'), port: ${base + 1}, databases: [], fast: true });
  process.stdout.write('up\\n');
  setInterval(() => undefined, 1_000);
})();
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolvePromise, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (!d.toString().includes('up')) return;
        child.kill('SIGKILL');
        child.once('exit', () => resolvePromise({ pgLink: join(dir, 'postgres') }));
      });
      child.once('exit', (code) => code !== null && reject(new Error(`runner exited ${code}`)));
    });
  }

  it('when the run that started them was SIGKILLed, then its servers still hold their ports, and the next start stops them and frees their folders', async () => {
    const { pgLink } = await killedRun();
    expect(await portFree(base)).toBe(false);
    expect(await portFree(base + 1)).toBe(false);
    const pgData = readlinkSync(pgLink);

    expect(await reapLeftovers(dir)).toBe(2);
    await waitFor('both ports free', async () => (await portFree(base)) && (await portFree(base + 1)), 10_000, 50);
    expect(existsSync(pgData)).toBe(false);
    expect(existsSync(pgLink)).toBe(false);
    // Nothing of theirs is running any more.
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toContain(`--port ${base} `);
    expect(ps).not.toContain(pgData);
    // A second reap finds nothing.
    expect(await reapLeftovers(dir)).toBe(0);
  }, 60_000);

  it('when the recorded pid now belongs to another process, then it is left alone', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    const records = join(dir, '.processes');
    execFileSync('mkdir', ['-p', records]);
    // A dead writer's record of this pid from before the kernel reused it (another start time).
    writeFileSync(join(records, '999999999-1.jsonl'), JSON.stringify({ pid: stranger.pid, started: '1' }) + '\n');
    expect(await reapLeftovers(dir)).toBe(0);
    expect(stranger.exitCode).toBeNull();
    stranger.kill();
  });
});

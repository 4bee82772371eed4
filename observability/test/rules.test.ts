import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '..', 'prometheus');
const files = (sub: string) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.yml')).map((f) => join(dir, sub, f));

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args[0]} ${args[1]} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

describe('Prometheus rules', () => {
  it('every rule file is valid (promtool check rules)', () => {
    expect(promtool('check', 'rules', ...files('rules'))).toMatch(/SUCCESS/);
  });

  it('every alert fires when it should and stays quiet when it should not (promtool test rules)', () => {
    expect(promtool('test', 'rules', ...files('tests'))).toMatch(/SUCCESS/);
  });

  it('every alert has a unit test and a runbook', () => {
    const rules = files('rules').map((f) => readFileSync(f, 'utf8')).join('\n');
    const tests = files('tests').map((f) => readFileSync(f, 'utf8')).join('\n');
    const alerts = [...new Set([...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1] as string))];
    expect(alerts.length).toBeGreaterThan(5);
    for (const alert of alerts) expect(tests).toContain(`alertname: ${alert}`);
    const runbooks = [...new Set([...rules.matchAll(/runbook_url: docs\/runbooks\/([\w-]+)\.md/g)].map((m) => m[1] as string))];
    const written = readdirSync(join(__dirname, '..', '..', 'docs', 'runbooks'));
    for (const rb of runbooks) expect(written).toContain(`${rb}.md`);
  });
});

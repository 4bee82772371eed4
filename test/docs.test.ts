import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The README and docs/ describe what is there: every repository path they name exists. */
const ROOT = join(__dirname, '..');
const TOP = ['services', 'packages', 'scripts', 'tools', 'charts', 'test', 'observability', 'loadtest', 'k8s', 'docs'];
const PATH = new RegExp('`((?:' + TOP.join('|') + ')/[A-Za-z0-9_./-]+)`', 'g');

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? docs(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  const packages = readdirSync(join(ROOT, 'packages')).map((p) => join('packages', p, 'README.md')).filter((f) => existsSync(join(ROOT, f)));
  return ['README.md', ...docs('docs'), ...packages];
}

describe('documentation', () => {
  it.each(markdownFiles())('%s names only paths that exist', (file) => {
    const missing = [...readFileSync(join(ROOT, file), 'utf8').matchAll(PATH)]
      .map((m) => (m[1] as string).replace(/[/.]+$/, ''))
      .filter((p) => !p.includes('*') && !existsSync(join(ROOT, p)));
    expect(missing).toEqual([]);
  });
});

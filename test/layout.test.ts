import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every service has the same floor plan, so whoever knows one knows all five:
 *   src/main.ts     parse config, build, listen (runMain)
 *   src/app.ts      wiring: stores, clients, workers, routes
 *   src/config.ts   the environment it reads (zod, parsed once, fail fast)
 *   src/deps.ts     the one Deps type use cases receive
 *   src/http/       routes: parse → call a use case → answer
 *   src/use-cases/  one file per noun, functions (deps, actor, input)
 *   src/domain/     pure rules, no I/O
 *   src/store/      persistence only        src/clients/  calls to other services and providers
 *   src/workers/    loops and consumers
 * Import rules between these folders are in eslint.config.mjs.
 */
const ROOT = join(__dirname, '..');
const SERVICES = readdirSync(join(ROOT, 'services')).filter((d) => existsSync(join(ROOT, 'services', d, 'package.json')));
const REQUIRED_FILES = ['main.ts', 'app.ts', 'config.ts', 'deps.ts'];
const REQUIRED_DIRS = ['http', 'use-cases', 'domain'];
const OPTIONAL_DIRS = ['store', 'clients', 'workers'];
/** Top-level files beside the required ones: instrumentation, metrics, the migration entry point. */
const OPTIONAL_FILES = ['instrument.ts', 'metrics.ts', 'migrate.ts'];

describe('service layout', () => {
  it('finds the five services', () => {
    expect(SERVICES.sort()).toEqual(['auth', 'entry', 'event', 'gateway', 'payment']);
  });

  describe.each(SERVICES)('%s', (service) => {
    const src = join(ROOT, 'services', service, 'src');
    const entries = readdirSync(src);
    const dirs = entries.filter((e) => statSync(join(src, e)).isDirectory());
    const files = entries.filter((e) => !dirs.includes(e));

    it('has main, app, config and deps, and only the known top-level files', () => {
      for (const f of REQUIRED_FILES) expect(files).toContain(f);
      expect(files.filter((f) => ![...REQUIRED_FILES, ...OPTIONAL_FILES].includes(f) && !f.endsWith('.d.ts'))).toEqual([]);
    });

    it('has http, use-cases and domain, and only the known folders', () => {
      for (const d of REQUIRED_DIRS) expect(dirs).toContain(d);
      expect(dirs.filter((d) => ![...REQUIRED_DIRS, ...OPTIONAL_DIRS].includes(d))).toEqual([]);
    });

    it('keeps migrations in store/migrations when it has a database', () => {
      if (!files.includes('migrate.ts')) return;
      expect(existsSync(join(src, 'store', 'migrations'))).toBe(true);
    });
  });
});

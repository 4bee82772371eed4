import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

/**
 * The web console as static files for the gateway (`dist/`): one script bundle and one
 * stylesheet, each named by its content's hash (cached for a year: a new build gets new names),
 * and the page that names them. No inline script or style, as the gateway's CSP requires.
 */
const HERE = __dirname;
const OUT = join(HERE, 'dist');

export async function buildConsole(out = OUT): Promise<{ script: string; styles: string }> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: [join(HERE, 'src', 'main.ts'), join(HERE, 'public', 'styles.css')],
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    entryNames: '[name]-[hash]',
    outdir: join(out, 'assets'),
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
  const script = outputs.find((f) => /^main-.*\.js$/.test(f));
  const styles = outputs.find((f) => /^styles-.*\.css$/.test(f));
  if (!script || !styles) throw new Error(`the console build made no script or stylesheet: ${outputs.join(', ')}`);
  const page = readFileSync(join(HERE, 'public', 'index.html'), 'utf8')
    .replace('{{script}}', `/console/assets/${script}`)
    .replace('{{styles}}', `/console/assets/${styles}`);
  writeFileSync(join(out, 'index.html'), page);
  return { script, styles };
}

if (require.main === module) {
  buildConsole().then(
    ({ script, styles }) => process.stdout.write(`console built: apps/console/dist (${script}, ${styles})\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

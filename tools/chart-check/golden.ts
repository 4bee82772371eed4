/**
 * Golden renders: the chart's output for each values file, committed, so a template change shows
 * up in review as a change of the rendered objects.
 */
import path from 'node:path';
import { diffLines } from 'diff';
import { ROOT } from './tools';

export const goldenPath = (scenario: string) => path.join(ROOT, 'charts/test/golden', `${scenario}.yaml`);

/** A unified-style diff (- golden, + render) with 2 lines of context, or '' when equal. */
export function goldenDiff(golden: string, rendered: string, maxLines = 200): string {
  if (golden === rendered) return '';
  const out: string[] = [];
  const parts = diffLines(golden, rendered);
  let line = 1;
  parts.forEach((p, i) => {
    const lines = p.value.replace(/\n$/, '').split('\n');
    if (p.added || p.removed) {
      // One header per change: an addition right after a removal belongs to it.
      const prev = parts[i - 1];
      if (!(p.added && prev?.removed)) out.push(`@@ golden line ${line}`);
      out.push(...lines.map((l) => `${p.added ? '+' : '-'} ${l}`));
    } else {
      if (i > 0) out.push(...lines.slice(0, 2).map((l) => `  ${l}`));
      if (i < parts.length - 1 && lines.length > 2) out.push(...lines.slice(-2).map((l) => `  ${l}`));
    }
    if (!p.added) line += lines.length;
  });
  return out.length > maxLines ? [...out.slice(0, maxLines), `... ${out.length - maxLines} more lines`].join('\n') : out.join('\n');
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderChart, ROOT } from '../../tools/chart-check/harness';
import { goldenDiff, goldenPath } from '../../tools/chart-check/golden';
import { SCENARIOS, scenario } from './scenarios';

// Each values file's render is committed; a template change must show up in review as a change
// of the rendered objects (npm run chart:golden rewrites them).
describe.each(SCENARIOS)('the golden render of $name', ({ name, options }) => {
  it('is what helm template renders today', () => {
    const diff = goldenDiff(readFileSync(goldenPath(name), 'utf8'), renderChart(options).yaml);
    if (diff) throw new Error(`${path.relative(ROOT, goldenPath(name))} differs from the render (run npm run chart:golden after review):\n${diff}`);
  });
});

describe('a golden diff', () => {
  it('when a template change alters the render, then it names the line and shows both sides', () => {
    const golden = readFileSync(goldenPath('default'), 'utf8');
    const changed = renderChart({ ...scenario('default').options, set: ['services.entry.port=9083'] }).yaml;
    const diff = goldenDiff(golden, changed);
    expect(diff).toMatch(/^@@ golden line \d+\n- +containerPort: 8083\n\+ +containerPort: 9083$/m);
    expect(diff).toMatch(/^- +containerPort: 8083$/m);
    expect(diff).toMatch(/^\+ +containerPort: 9083$/m);
  });

  it('when nothing changed, then it is empty', () => {
    expect(goldenDiff('a\nb\n', 'a\nb\n')).toBe('');
  });
});

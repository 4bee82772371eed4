/** A dependency-free SVG line chart: a few series over a shared time axis, one panel per metric. */

interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step giving about `n` ticks over [0, max]. */
export function niceStep(max: number, n = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

export function chart(title: string, panels: Panel[], width = 960, panelHeight = 240): string {
  const m = { l: 70, r: 180, t: 34, b: 34 };
  const w = width - m.l - m.r;
  const h = panelHeight - m.t - m.b;
  const xMax = Math.max(0.1, ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))));
  const xStep = niceStep(xMax, 8);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${panelHeight * panels.length + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${m.l}" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  panels.forEach((p, pi) => {
    const top = 30 + pi * panelHeight;
    const yMax = Math.max(1, ...p.series.flatMap((s) => s.points.map(([, y]) => y))) * 1.05;
    const yStep = niceStep(yMax);
    const X = (x: number) => m.l + (x / xMax) * w;
    const Y = (y: number) => top + m.t + h - (y / yMax) * h;
    out.push(`<text x="${m.l}" y="${top + 20}" font-weight="bold">${esc(p.title)} (${esc(p.unit)})</text>`);
    for (let y = 0; y <= yMax; y += yStep) {
      out.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${Y(y).toFixed(1)}" y2="${Y(y).toFixed(1)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${m.l - 6}" y="${(Y(y) + 4).toFixed(1)}" text-anchor="end">${+y.toPrecision(6)}</text>`);
    }
    for (let x = 0; x <= xMax; x += xStep) {
      out.push(`<text x="${X(x).toFixed(1)}" y="${top + m.t + h + 16}" text-anchor="middle">${+x.toPrecision(6)} s</text>`);
    }
    out.push(`<rect x="${m.l}" y="${top + m.t}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
    p.series.forEach((s, si) => {
      if (s.points.length) {
        const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
        out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      }
      const ly = top + m.t + 14 + si * 18;
      out.push(`<line x1="${m.l + w + 12}" x2="${m.l + w + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      out.push(`<text x="${m.l + w + 42}" y="${ly}">${esc(s.label)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

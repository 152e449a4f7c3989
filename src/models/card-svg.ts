import { escapeHtml } from '../core/html.js';

/** Inline SVG charts for the model card: no script, no external assets. */

export interface Series {
  label: string;
  x: number[];
  y: number[];
  colour: string;
  /** Points instead of a line (scatter). */
  points?: boolean;
}

const W = 300;
const H = 240;
const PAD = 34;

/** Line or scatter charts over [xMin, xMax] × [yMin, yMax] with axis labels and a legend. */
export function xyChart(
  title: string,
  series: Series[],
  axes: { x: string; y: string; xRange?: [number, number]; yRange?: [number, number] },
): string {
  const all = (pick: (s: Series) => number[]) => series.flatMap(pick).filter(Number.isFinite);
  const [x0, x1] = axes.xRange ?? range(all((s) => s.x));
  const [y0, y1] = axes.yRange ?? range(all((s) => s.y));
  const sx = (v: number) => PAD + ((v - x0) / (x1 - x0 || 1)) * (W - PAD - 8);
  const sy = (v: number) => H - PAD - ((v - y0) / (y1 - y0 || 1)) * (H - PAD - 20);
  const marks = series
    .map((s) => {
      const xy = s.x
        .map((x, i) => [sx(x), sy(s.y[i])])
        .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      if (s.points) {
        return xy
          .map(
            ([a, b]) =>
              `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="1.6" fill="${s.colour}" fill-opacity="0.5"/>`,
          )
          .join('');
      }
      const d = xy.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${a.toFixed(1)},${b.toFixed(1)}`).join('');
      return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.8"/>`;
    })
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${PAD + 4}" y="${24 + i * 13}" width="9" height="9" fill="${s.colour}"/><text x="${PAD + 17}" y="${32 + i * 13}" font-size="10">${escapeHtml(s.label)}</text>`,
    )
    .join('');
  const ticks = [x0, x1]
    .map(
      (v, i) =>
        `<text x="${sx(v)}" y="${H - PAD + 13}" font-size="9" text-anchor="${i ? 'end' : 'start'}">${fmt(v)}</text>`,
    )
    .concat(
      [y0, y1].map(
        (v) => `<text x="${PAD - 3}" y="${sy(v) + 3}" font-size="9" text-anchor="end">${fmt(v)}</text>`,
      ),
    )
    .join('');
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="${W / 2}" y="13" font-size="12" text-anchor="middle" font-weight="600">${escapeHtml(title)}</text>` +
    `<rect x="${PAD}" y="20" width="${W - PAD - 8}" height="${H - PAD - 20}" fill="none" stroke="#bbb"/>` +
    `${marks}${legend}${ticks}` +
    `<text x="${W / 2}" y="${H - 4}" font-size="10" text-anchor="middle">${escapeHtml(axes.x)}</text>` +
    `<text transform="translate(10,${H / 2}) rotate(-90)" font-size="10" text-anchor="middle">${escapeHtml(axes.y)}</text></svg>`
  );
}

/** Horizontal bars, largest first as given. */
export function barChart(title: string, bars: { label: string; value: number }[]): string {
  const rowH = 16;
  const labelW = 140;
  const height = bars.length * rowH + 24;
  const max = Math.max(Number.MIN_VALUE, ...bars.map((b) => b.value));
  const rows = bars
    .map((b, i) => {
      const w = Math.max(0, ((W + 100 - labelW - 50) * b.value) / max);
      const y = 20 + i * rowH;
      return `<text x="${labelW - 4}" y="${y + 11}" font-size="10" text-anchor="end">${escapeHtml(b.label.slice(0, 24))}</text><rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="#4c78a8"/><text x="${(labelW + w + 4).toFixed(1)}" y="${y + 11}" font-size="9">${fmt(b.value)}</text>`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W + 100} ${height}" width="${W + 100}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><text x="4" y="13" font-size="12" font-weight="600">${escapeHtml(title)}</text>${rows}</svg>`;
}

function range(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0)) return v.toExponential(1);
  return String(Math.round(v * 1000) / 1000);
}

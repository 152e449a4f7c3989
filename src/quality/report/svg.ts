import { asText } from '../../warehouse/values.js';
import type { Histogram, TopValue } from '../profile/types.js';
import { escapeHtml } from '../../core/html.js';

const compact = (x: number) =>
  Math.abs(x) >= 1e6 || (Math.abs(x) < 1e-3 && x !== 0)
    ? x.toExponential(2)
    : String(Math.round(x * 1000) / 1000);

/** A histogram as an inline SVG bar chart (no script, no external assets). */
export function histogramSvg(histogram: Histogram, width = 320, height = 110): string {
  const max = Math.max(1, ...histogram.counts);
  const plotH = height - 22;
  const barW = width / histogram.counts.length;
  const bars = histogram.counts
    .map((count, i) => {
      const h = (count / max) * plotH;
      const title = `${compact(histogram.edges[i])} – ${compact(histogram.edges[i + 1])}: ${count.toLocaleString('en')}`;
      return `<rect x="${(i * barW + 0.5).toFixed(1)}" y="${(plotH - h).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4c78a8"><title>${escapeHtml(title)}</title></rect>`;
    })
    .join('');
  const first = compact(histogram.edges[0]);
  const last = compact(histogram.edges[histogram.edges.length - 1]);
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="histogram">${bars}<line x1="0" y1="${plotH}" x2="${width}" y2="${plotH}" stroke="#999"/><text x="0" y="${height - 6}" font-size="10">${escapeHtml(first)}</text><text x="${width}" y="${height - 6}" font-size="10" text-anchor="end">${escapeHtml(last)}</text></svg>`;
}

/** Top values as horizontal bars with their counts. */
export function topValuesSvg(top: TopValue[], total: number, width = 320): string {
  const rows = top.slice(0, 10);
  const rowH = 16;
  const height = rows.length * rowH + 4;
  const labelW = 120;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const bars = rows
    .map((r, i) => {
      const label = asText(r.value).slice(0, 22);
      const w = ((width - labelW - 60) * r.count) / max;
      const share = total ? ` (${((100 * r.count) / total).toFixed(1)} %)` : '';
      return `<text x="${labelW - 4}" y="${i * rowH + 12}" font-size="10" text-anchor="end">${escapeHtml(label)}</text><rect x="${labelW}" y="${i * rowH + 3}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="#f58518"/><text x="${(labelW + w + 4).toFixed(1)}" y="${i * rowH + 12}" font-size="10">${r.count.toLocaleString('en')}${share}</text>`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="top values">${bars}</svg>`;
}

function colour(r: number | null): string {
  if (r === null) return '#eee';
  const t = Math.max(-1, Math.min(1, r));
  const a = Math.abs(t);
  // Blue for negative, red for positive, white at zero.
  const [R, G, B] = t >= 0 ? [255, 255 - 170 * a, 255 - 170 * a] : [255 - 170 * a, 255 - 120 * a, 255];
  return `rgb(${R.toFixed(0)},${G.toFixed(0)},${B.toFixed(0)})`;
}

/** The correlation matrix as a heat map with the coefficient in each cell. */
export function correlationSvg(columns: string[], matrix: (number | null)[][]): string {
  const cell = 34;
  const label = 130;
  const size = label + cell * columns.length;
  const cells = matrix
    .map((row, i) =>
      row
        .map((r, j) => {
          const x = label + j * cell;
          const y = label + i * cell;
          const text = r === null ? '' : r.toFixed(2);
          return `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${colour(r)}" stroke="#fff"><title>${escapeHtml(`${columns[i]} × ${columns[j]}: ${text || 'n/a'}`)}</title></rect><text x="${x + cell / 2}" y="${y + cell / 2 + 3}" font-size="9" text-anchor="middle">${text}</text>`;
        })
        .join(''),
    )
    .join('');
  const labels = columns
    .map((c, i) => {
      const name = escapeHtml(c.slice(0, 20));
      const mid = label + i * cell + cell / 2;
      return `<text x="${label - 4}" y="${mid + 3}" font-size="10" text-anchor="end">${name}</text><text transform="translate(${mid + 3},${label - 4}) rotate(-60)" font-size="10">${name}</text>`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="correlation matrix">${labels}${cells}</svg>`;
}

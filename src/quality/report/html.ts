import type { ColumnProfile } from '../profile/types.js';
import type { RuleResult } from '../rules/check.js';
import { escapeHtml } from '../../core/html.js';
import type { QualityReport } from './report.js';
import { correlationSvg, histogramSvg, topValuesSvg } from './svg.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{padding:.3rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#fafafa}.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.75rem}.card h3{margin:0 0 .3rem;font-size:1rem}
.meta{color:#666;font-size:.85rem}.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .4rem;font-size:.8rem;margin-left:.3rem}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:.8rem;max-height:10rem}`;

const fmt = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en') : v.toPrecision(5);
  return escapeHtml(typeof v === 'string' ? v : JSON.stringify(v));
};

function columnCard(c: ColumnProfile, rows: number): string {
  const stats: [string, unknown][] = [
    ['nulls', `${c.nulls.toLocaleString('en')} (${(100 * c.null_rate).toFixed(2)} %)`],
    ['distinct', `${c.distinct.toLocaleString('en')}${c.approximate ? ' ≈' : ''}`],
    ['min', c.min],
    ['max', c.max],
  ];
  if (c.mean !== null) stats.push(['mean', c.mean], ['std', c.std]);
  if (c.quantiles)
    stats.push([
      'p05 / p50 / p95',
      `${fmt(c.quantiles.p05)} / ${fmt(c.quantiles.p50)} / ${fmt(c.quantiles.p95)}`,
    ]);
  if (c.length) stats.push(['length', `${c.length.min}–${c.length.max} (mean ${c.length.mean.toFixed(1)})`]);
  const chart = c.histogram
    ? histogramSvg(c.histogram)
    : c.top.length
      ? topValuesSvg(c.top, rows - c.nulls)
      : '';
  const semantic = c.semantic ? `<span class="tag">${escapeHtml(c.semantic)}</span>` : '';
  return `<div class="card"><h3>${escapeHtml(c.name)}${semantic}</h3><div class="meta">${escapeHtml(c.type)}</div>
<table>${stats.map(([k, v]) => `<tr><th>${k}</th><td class="num">${typeof v === 'string' ? escapeHtml(v) : fmt(v)}</td></tr>`).join('')}</table>${chart}</div>`;
}

function resultRow(r: RuleResult): string {
  const status = r.passed
    ? '<span class="pass">pass</span>'
    : r.severity === 'warn'
      ? '<span class="warn">warn</span>'
      : '<span class="fail">fail</span>';
  const target = r.column ?? r.columns?.join(', ') ?? '';
  const sample = r.sample.length
    ? `<pre>${escapeHtml(r.sample.map((s) => JSON.stringify(s)).join('\n'))}</pre>`
    : '';
  return `<tr><td>${status}</td><td>${escapeHtml(r.name ?? r.check)}</td><td>${escapeHtml(target)}</td><td>${r.severity}</td><td class="num">${r.failing.toLocaleString('en')}</td><td>${escapeHtml(r.message)}${sample}</td></tr>`;
}

/** A self-contained HTML page (inline CSS and SVG, no scripts or network) for a quality report. */
export function renderHtmlReport(report: QualityReport): string {
  const { profile, check } = report;
  const title = `Data quality: ${report.table}`;
  const checkSection = check
    ? `<h2>Rules — ${check.passed ? '<span class="pass">passed</span>' : '<span class="fail">failed</span>'}</h2>
<table><tr><th></th><th>rule</th><th>column</th><th>severity</th><th class="num">failing</th><th>detail</th></tr>${check.results.map(resultRow).join('')}</table>
${check.anomalies.length ? `<h3>Anomalies</h3><ul>${check.anomalies.map((a) => `<li>${escapeHtml(a.message)}</li>`).join('')}</ul>` : ''}`
    : '<h2>Rules</h2><p class="meta">No rules saved for this table; <code>cairn rules suggest</code> proposes some.</p>';
  const correlation =
    profile.correlation.columns.length > 1
      ? `<h2>Correlations (Pearson)</h2>${correlationSvg(profile.correlation.columns, profile.correlation.matrix)}`
      : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${profile.rows.toLocaleString('en')} rows × ${profile.columns.length} columns · profiled ${escapeHtml(profile.profiled_at)} in ${profile.seconds.toFixed(2)} s · report generated ${escapeHtml(report.generated_at)}</p>
${checkSection}
<h2>Columns</h2><div class="cards">${profile.columns.map((c) => columnCard(c, profile.rows)).join('\n')}</div>
${correlation}
</body></html>
`;
}

/** Numbers, sizes and times written for people: grouped digits, few decimals, relative times. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** 1234567 → "1,234,567"; large counts can be shortened to "1.2M" with `short`. */
export function formatCount(n: number, short = false): string {
  if (!Number.isFinite(n)) return '—';
  return short && Math.abs(n) >= 10_000 ? compact.format(n) : integer.format(n);
}

/** A measurement with about 4 significant digits: 0.84216 → "0.8422", 12345.678 → "12,346". */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '—' : n > 0 ? '∞' : '−∞';
  if (Number.isInteger(n)) return integer.format(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return integer.format(n);
  if (abs >= 1e-3) return new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 }).format(n);
  return abs === 0 ? '0' : n.toExponential(2);
}

/** 0.1234 → "12.3%". */
export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Seconds → "850 ms", "12.4 s", "3 min 5 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** An ISO time → "3 minutes ago" (the exact time is left for a tooltip). */
export function formatWhen(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = (at - now) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(Math.round(seconds), 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

/** Any cell value as short text: numbers formatted, null as an em dash, objects as JSON. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Metric names as labels: "pr_auc" → "PR AUC". */
export function metricLabel(name: string): string {
  const upper = new Set(['auc', 'pr', 'rmse', 'mae', 'mape', 'r2', 'f1', 'roc']);
  return name
    .split('_')
    .map((w) => (upper.has(w) ? w.toUpperCase() : w))
    .join(' ');
}

/** Robust z-score above which a metric counts as anomalous (Iglewicz and Hoaglin's 3.5). */
export const ANOMALY_Z = 3.5;
/** Earlier runs needed before a metric is judged at all. */
export const MIN_HISTORY = 5;

export interface MetricPoint {
  rows: number;
  nullCounts: Record<string, number>;
}

export interface Anomaly {
  metric: 'rows' | 'null_rate';
  column?: string;
  value: number;
  median: number;
  z: number;
  message: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Modified z-score of `value` against `history`: 0.6745·(x − median)/MAD. The scale never falls
 * below `floor`, so a flat history (MAD 0) flags only changes larger than the floor.
 */
export function robustZ(value: number, history: number[], floor: number): { z: number; median: number } {
  const m = median(history);
  const mad = median(history.map((v) => Math.abs(v - m)));
  const scale = Math.max(mad / 0.6745, floor);
  return { z: (value - m) / scale, median: m };
}

const rate = (p: MetricPoint, column: string) => (p.rows === 0 ? 0 : (p.nullCounts[column] ?? 0) / p.rows);

/**
 * Flags a sudden drop in row count, or a jump in a column's null rate, in `current` against the
 * earlier runs in `history` (oldest first).
 */
export function findAnomalies(current: MetricPoint, history: MetricPoint[]): Anomaly[] {
  if (history.length < MIN_HISTORY) return [];
  const anomalies: Anomaly[] = [];
  const counts = history.map((p) => p.rows);
  // Floors: 1 % of the usual row count, 0.5 percentage point of null rate.
  const rows = robustZ(current.rows, counts, Math.max(1, 0.01 * median(counts)));
  if (rows.z < -ANOMALY_Z) {
    anomalies.push({
      metric: 'rows',
      value: current.rows,
      median: rows.median,
      z: rows.z,
      message: `row count ${current.rows.toLocaleString('en')} is far below the usual ${rows.median.toLocaleString('en')} (robust z ${rows.z.toFixed(1)})`,
    });
  }
  for (const column of Object.keys(current.nullCounts)) {
    const value = rate(current, column);
    const past = history.map((p) => rate(p, column));
    const nulls = robustZ(value, past, 0.005);
    if (nulls.z > ANOMALY_Z) {
      anomalies.push({
        metric: 'null_rate',
        column,
        value,
        median: nulls.median,
        z: nulls.z,
        message: `null rate of '${column}' jumped to ${(100 * value).toFixed(2)} % from a usual ${(100 * nulls.median).toFixed(2)} % (robust z ${nulls.z.toFixed(1)})`,
      });
    }
  }
  return anomalies;
}

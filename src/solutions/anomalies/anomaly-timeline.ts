import { CairnError } from '../../core/errors.js';
import { stringAt, toFloat64, type Column, type Frame } from '../../core/frame.js';
import type { Database } from '../../warehouse/database.js';
import { scoreTable, spreadIndex } from '../scored-table.js';

const MICROS_PER_MS = 1000;
const MS_PER_DAY = 86_400_000;
/** Most anomalous rows listed under the time line. */
const TOP_ROWS = 20;

export interface AnomalyTimeline {
  model: string;
  version: number;
  algorithm: string;
  /** The table scored, else its source's label (`file:…`, `query:…`). */
  source: string;
  time_column: string;
  total_rows: number;
  /** Rows scored: the whole table, or a seeded sample of a large one. */
  scored_rows: number;
  /** Rows above the threshold, among those with a time and a score. */
  flagged: number;
  threshold: number | null;
  /** In time order: every flagged row (up to `points`) and a spread of the others, as parallel arrays. */
  points: { t: string[]; score: number[]; flagged: number[] };
  /** The most anomalous scored rows, highest score first, with the model's feature values. */
  top: { t: string; score: number; values: Record<string, number | string | null> }[];
}

/**
 * An anomaly model's scores over a time-stamped table: the time line of scores with the flagged rows,
 * and the most anomalous rows. `time` names the time column; by default the table's first
 * timestamp or date column.
 */
export async function anomalyTimeline(
  db: Database,
  artifactsDir: string,
  request: { model: string; version?: number; table?: string; time?: string; points: number },
): Promise<AnomalyTimeline> {
  const scored = await scoreTable(db, artifactsDir, { ...request, task: 'anomaly' });
  const { model, frame } = scored;
  const time = timeColumn(frame, scored.source, request.time);
  const scores = toFloat64(scored.outputs.find((c) => c.name === 'anomaly_score')!);
  const flags = toFloat64(scored.outputs.find((c) => c.name === 'is_anomaly')!);
  const at = toMillis(time);
  // A row without a time, or without a score (no usable feature), has no place on the line.
  const byTime = Uint32Array.from({ length: frame.rows }, (_, i) => i)
    .filter((i) => !Number.isNaN(at[i]) && Number.isFinite(scores[i]))
    .sort((a, b) => at[a] - at[b]);
  const flagged = byTime.filter((i) => flags[i] === 1);
  const others = byTime.filter((i) => flags[i] !== 1);
  const keep = [
    ...flagged.slice(0, request.points),
    ...Array.from(spreadIndex(others.length, Math.max(0, request.points - flagged.length)), (k) => others[k]),
  ].sort((a, b) => at[a] - at[b]);
  const features = [...new Set(model.artifact.features.map((f) => f.column))].map((name) => {
    const col = frame.columns.find((c) => c.name === name)!;
    return { col, numbers: col.kind === 'string' ? null : toFloat64(col) };
  });
  const top = [...byTime].sort((a, b) => scores[b] - scores[a]).slice(0, TOP_ROWS);
  const threshold = model.artifact.metrics.threshold;
  return {
    model: model.artifact.name,
    version: model.artifact.version,
    algorithm: model.artifact.algorithm,
    source: scored.source,
    time_column: time.name,
    total_rows: scored.totalRows,
    scored_rows: frame.rows,
    flagged: flagged.length,
    threshold: typeof threshold === 'number' ? threshold : null,
    points: {
      t: keep.map((i) => iso(at[i])),
      score: keep.map((i) => scores[i]),
      flagged: keep.map((i) => flags[i]),
    },
    top: top.map((i) => ({
      t: iso(at[i]),
      score: scores[i],
      values: Object.fromEntries(
        features.map(({ col, numbers }) => [
          col.name,
          col.kind === 'string' ? stringAt(col, i) : Number.isNaN(numbers![i]) ? null : numbers![i],
        ]),
      ),
    })),
  };
}

function timeColumn(frame: Frame, source: string, name: string | undefined): Column {
  const isTime = (c: Column) => c.kind === 'timestamp' || c.kind === 'date';
  const found = name === undefined ? frame.columns.find(isTime) : frame.columns.find((c) => c.name === name);
  if (found === undefined || !isTime(found)) {
    const times = frame.columns.filter(isTime).map((c) => `'${c.name}'`);
    throw new CairnError(
      'INVALID_ARGUMENT',
      name === undefined
        ? `${source} has no timestamp or date column to draw a time line on`
        : `column '${name}' of ${source} is ${found === undefined ? 'missing' : `${found.kind}, not a time`}; its time columns are ${times.join(', ') || '(none)'}`,
    );
  }
  return found;
}

/** A timestamp (µs) or date (days) column as epoch milliseconds; a missing time is NaN. */
function toMillis(col: Column): Float64Array {
  const values = toFloat64(col);
  const scale = col.kind === 'date' ? MS_PER_DAY : 1 / MICROS_PER_MS;
  return values.map((v) => v * scale);
}

function iso(ms: number): string {
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

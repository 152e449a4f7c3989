import { CairnError } from '../core/errors.js';
import { isValid, stringAt, toFloat64, type Column, type Frame } from '../core/frame.js';
import { featureMatrix, type FeatureMatrix } from '../ml/matrix.js';

export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'hour'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/** How one model input is computed from a column: what serving needs to rebuild it. */
export type FeatureSpec =
  | { name: string; column: string; kind: 'numeric' }
  | { name: string; column: string; kind: 'categorical'; categories: string[] }
  | { name: string; column: string; kind: 'date_part'; part: DatePart };

export interface DroppedColumn {
  column: string;
  reason: string;
}

export type FeatureSelection = 'auto' | string[] | { include?: string[]; exclude?: string[] };

/** A text column with at least this share of distinct values is an identifier, not a feature. */
const ID_SHARE = 0.9;
const MILLIS_PER_DAY = 86_400_000;

function distinctCount(col: Column): number {
  if (col.kind === 'string') {
    const seen = new Uint8Array(col.dictionary.length);
    let n = 0;
    for (let i = 0; i < col.length; i++) {
      const code = col.codes[i];
      if (code >= 0 && isValid(col, i) && !seen[code]) {
        seen[code] = 1;
        n++;
      }
    }
    return n;
  }
  const values = toFloat64(col);
  return new Set(values.filter((v) => !Number.isNaN(v))).size;
}

function categoriesOf(col: Column & { kind: 'string' }): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < col.length; i++) {
    const value = stringAt(col, i);
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  // Most frequent first, so a category's code is stable for a given training set.
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value]) => value);
}

function specsFor(col: Column): FeatureSpec[] {
  if (col.kind === 'string')
    return [{ name: col.name, column: col.name, kind: 'categorical', categories: categoriesOf(col) }];
  if (col.kind === 'date' || col.kind === 'timestamp') {
    const parts = col.kind === 'date' ? DATE_PARTS.filter((p) => p !== 'hour') : DATE_PARTS;
    return parts.map((part) => ({ name: `${col.name}_${part}`, column: col.name, kind: 'date_part', part }));
  }
  return [{ name: col.name, column: col.name, kind: 'numeric' }];
}

/**
 * Chooses the model's inputs. 'auto' takes every column but the target and leaves out (and reports)
 * constant columns and identifier-like text columns; an explicit list or include/exclude is taken as
 * given. Text columns become categorical features, dates and timestamps their parts.
 */
export function chooseFeatures(
  frame: Frame,
  target: string,
  selection: FeatureSelection,
): { features: FeatureSpec[]; dropped: DroppedColumn[] } {
  const byName = new Map(frame.columns.map((c) => [c.name, c]));
  const pick = (names: string[]) =>
    names.map((name) => {
      const col = byName.get(name);
      if (!col) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `feature column '${name}' is not in the data; it has ${[...byName.keys()].join(', ')}`,
        );
      }
      if (name === target)
        throw new CairnError('INVALID_ARGUMENT', `the target '${target}' cannot also be a feature`);
      return col;
    });
  if (Array.isArray(selection)) return { features: pick(selection).flatMap(specsFor), dropped: [] };
  const include = selection === 'auto' ? undefined : selection.include;
  const exclude = new Set(selection === 'auto' ? [] : (selection.exclude ?? []));
  const candidates = include ? pick(include) : frame.columns.filter((c) => c.name !== target);
  const dropped: DroppedColumn[] = [];
  const kept = candidates.filter((col) => {
    if (exclude.has(col.name)) return false;
    if (include) return true;
    const distinct = distinctCount(col);
    if (distinct <= 1) dropped.push({ column: col.name, reason: 'constant' });
    else if (col.kind === 'string' && frame.rows >= 50 && distinct >= ID_SHARE * frame.rows) {
      dropped.push({
        column: col.name,
        reason: `identifier-like: ${distinct} distinct values in ${frame.rows} rows`,
      });
    } else return true;
    return false;
  });
  if (kept.length === 0)
    throw new CairnError('INVALID_ARGUMENT', 'no feature columns are left to learn from');
  return { features: kept.flatMap(specsFor), dropped };
}

function datePart(col: Column, part: DatePart): Float64Array {
  const raw = toFloat64(col);
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    // Dates count days, timestamps microseconds.
    out[i] = Number.isNaN(v)
      ? NaN
      : datePartOf(col.kind === 'date' ? v * MILLIS_PER_DAY : Math.floor(v / 1000), part);
  }
  return out;
}

/** A date part of an instant given in milliseconds since the epoch, in UTC; weekday 0 is Monday. */
export function datePartOf(millis: number, part: DatePart): number {
  const d = new Date(millis);
  if (part === 'year') return d.getUTCFullYear();
  if (part === 'month') return d.getUTCMonth() + 1;
  if (part === 'day') return d.getUTCDate();
  if (part === 'weekday') return (d.getUTCDay() + 6) % 7;
  return Math.floor((((millis % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY) / 3_600_000);
}

function categoricalCodes(col: Column, categories: string[]): Float64Array {
  const code = new Map(categories.map((c, i) => [c, i]));
  const out = new Float64Array(col.length);
  if (col.kind !== 'string') {
    // A typed column holding what training saw as text (e.g. a numeric code): compare as text.
    const values = toFloat64(col);
    for (let i = 0; i < col.length; i++)
      out[i] = Number.isNaN(values[i]) ? NaN : (code.get(String(values[i])) ?? -1);
    return out;
  }
  const byDictionary = Int32Array.from(col.dictionary, (value) => code.get(value) ?? -1);
  for (let i = 0; i < col.length; i++) {
    const c = col.codes[i];
    // -1 marks a category unseen in training: learners treat it like a missing value.
    out[i] = c < 0 || !isValid(col, i) ? NaN : byDictionary[c];
  }
  return out;
}

/** The model's input matrix for a frame's rows (all rows, or `rows`), following `features`. */
export function buildMatrix(frame: Frame, features: FeatureSpec[], rows?: Uint32Array): FeatureMatrix {
  const byName = new Map(frame.columns.map((c) => [c.name, c]));
  const columns = features.map((feature) => {
    const col = byName.get(feature.column);
    if (!col) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `the input has no column '${feature.column}', which the model needs`,
      );
    }
    let values: Float64Array;
    if (feature.kind === 'categorical') values = categoricalCodes(col, feature.categories);
    else if (feature.kind === 'date_part') values = datePart(col, feature.part);
    else if (col.kind === 'string') {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `column '${feature.column}' holds text; the model expects numbers`,
      );
    } else values = toFloat64(col);
    return rows ? Float64Array.from(rows, (r) => values[r]) : values;
  });
  const counts = features.map((f) => (f.kind === 'categorical' ? f.categories.length : 0));
  return featureMatrix(
    columns,
    features.map((f) => f.name),
    counts,
  );
}

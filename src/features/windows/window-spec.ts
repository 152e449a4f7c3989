import { CairnError } from '../../core/errors.js';
import { parseDuration } from '../duration.js';

/** Aggregations over a sliding event-time window. */
export const WINDOW_AGGS = ['count', 'sum', 'mean', 'min', 'max', 'std', 'distinct', 'last'] as const;
/** Per-event derived features, computed when the event arrives against the entity's earlier events. */
export const EVENT_FEATURES = ['since_previous', 'distance', 'speed', 'zscore', 'first_seen'] as const;

export type WindowAgg = (typeof WINDOW_AGGS)[number];
export type EventFeature = (typeof EVENT_FEATURES)[number];

/**
 * One streaming feature as written in a stream file or passed in code:
 * - window aggs: `{ name, agg, column?, window? }` (no window: all events kept for the entity);
 * - `since_previous`: seconds since the entity's previous event;
 * - `distance` / `speed`: km and km/h from the previous event's location, `columns: [lat, lon]`;
 * - `zscore`: (value − mean) / std of the entity's values in `window` before this event;
 * - `first_seen`: 1 when `column`'s value was never seen for the entity before, else 0.
 */
export interface StreamFeatureSpec {
  name: string;
  agg: WindowAgg | EventFeature;
  column?: string;
  columns?: [string, string];
  window?: string;
}

export interface CompiledFeature {
  name: string;
  agg: WindowAgg | EventFeature;
  /** Numeric column slot for value aggs and zscore; −1 when unused. */
  numeric: number;
  /** Key column slot for distinct, first_seen and `last` of text; −1 when unused. */
  key: number;
  /** Latitude/longitude numeric slots for distance and speed. */
  lat: number;
  lon: number;
  /** Window slot (into the engine's window list); −1 for event features without a window. */
  window: number;
}

export interface CompiledSpec {
  features: CompiledFeature[];
  numericColumns: string[];
  keyColumns: string[];
  /** Distinct window lengths in ms, Infinity for unbounded. */
  windows: number[];
}

const NUMERIC_AGGS = new Set<string>(['sum', 'mean', 'min', 'max', 'std']);

/** Validates stream features and assigns column and window slots. `textColumns` hold strings. */
export function compileFeatures(
  specs: readonly StreamFeatureSpec[],
  textColumns: ReadonlySet<string> = new Set(),
): CompiledSpec {
  const numericColumns: string[] = [];
  const keyColumns: string[] = [];
  const windows: number[] = [];
  const slot = (list: string[], column: string) => {
    const at = list.indexOf(column);
    if (at >= 0) return at;
    list.push(column);
    return list.length - 1;
  };
  const windowSlot = (ms: number) => {
    const at = windows.indexOf(ms);
    if (at >= 0) return at;
    windows.push(ms);
    return windows.length - 1;
  };
  const names = new Set<string>();
  const features = specs.map((spec): CompiledFeature => {
    const where = `stream feature '${spec.name}'`;
    if (names.has(spec.name)) throw new CairnError('INVALID_ARGUMENT', `${where} is declared twice`);
    names.add(spec.name);
    if (![...WINDOW_AGGS, ...EVENT_FEATURES].includes(spec.agg))
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${where} has agg '${spec.agg}'; use one of ${[...WINDOW_AGGS, ...EVENT_FEATURES].join(', ')}`,
      );
    const needsColumn =
      spec.agg !== 'count' &&
      spec.agg !== 'since_previous' &&
      spec.agg !== 'distance' &&
      spec.agg !== 'speed';
    if (needsColumn && !spec.column)
      throw new CairnError('INVALID_ARGUMENT', `${where} (agg ${spec.agg}) needs a column`);
    const windowMs = spec.window === undefined ? Infinity : parseDuration(spec.window, `window of ${where}`);
    if (spec.agg === 'zscore' && windowMs === Infinity)
      throw new CairnError('INVALID_ARGUMENT', `${where} (zscore) needs a window of history, e.g. 30d`);
    const compiled: CompiledFeature = {
      name: spec.name,
      agg: spec.agg,
      numeric: -1,
      key: -1,
      lat: -1,
      lon: -1,
      window: -1,
    };
    if (spec.agg === 'distance' || spec.agg === 'speed') {
      if (!spec.columns || spec.columns.length !== 2)
        throw new CairnError(
          'INVALID_ARGUMENT',
          `${where} (agg ${spec.agg}) needs columns: [latitude, longitude]`,
        );
      compiled.lat = slot(numericColumns, spec.columns[0]);
      compiled.lon = slot(numericColumns, spec.columns[1]);
      return compiled;
    }
    if (spec.agg === 'since_previous') return compiled;
    if (spec.agg === 'first_seen') {
      compiled.key = slot(keyColumns, spec.column!);
      return compiled;
    }
    compiled.window = windowSlot(windowMs);
    if (spec.agg === 'distinct' || (spec.agg === 'last' && textColumns.has(spec.column!)))
      compiled.key = slot(keyColumns, spec.column!);
    else if (NUMERIC_AGGS.has(spec.agg) || spec.agg === 'zscore' || spec.agg === 'last')
      compiled.numeric = slot(numericColumns, spec.column!);
    else if (spec.agg === 'count' && spec.column) compiled.numeric = slot(numericColumns, spec.column);
    return compiled;
  });
  return { features, numericColumns, keyColumns, windows };
}

import type { FeatureRecord } from '../online/online-store.js';
import { EntityState } from './entity-state.js';
import { haversineKm } from './geo.js';
import {
  compileFeatures,
  type CompiledFeature,
  type CompiledSpec,
  type StreamFeatureSpec,
} from './window-spec.js';

export interface WindowEngineOptions {
  /** How far behind an entity's latest event time an event may arrive and still count. Default 60 s. */
  allowedLatenessMs?: number;
  /** Events kept per entity (a power of two); beyond it the oldest leave every window early. Default 65,536. */
  maxEventsPerEntity?: number;
  /** Values remembered per entity and column for first_seen flags (oldest forgotten first). Default 1,024. */
  maxKeysPerEntity?: number;
  /** Columns holding text (a `last` of them returns the text). */
  textColumns?: Iterable<string>;
}

export type UpdateResult = 'accepted' | 'late';

export interface WindowEngineStats {
  entities: number;
  accepted: number;
  late: number;
  /** Events dropped early because an entity exceeded maxEventsPerEntity. */
  evicted: number;
}

/**
 * Per-entity sliding-window features over an event stream, with event-time semantics.
 *
 * A window `w` read at time `t` covers (t − w, t]; state is kept as of each entity's watermark
 * (its latest event time). Late events: an event up to `allowedLatenessMs` older than the
 * entity's watermark is inserted in time order and counted in every window it still falls in;
 * an older one is refused (`'late'`) and changes nothing. Derived features (since_previous,
 * distance, speed, zscore, first_seen) are computed once, when the event arrives, against the
 * entity's events seen so far. Memory per entity is bounded by maxEventsPerEntity events inside
 * the longest finite window, plus maxKeysPerEntity values per first_seen column.
 */
export class WindowEngine {
  readonly names: string[];
  private readonly spec: CompiledSpec;
  private readonly finite: number[];
  private readonly entityMap = new Map<string, EntityState>();
  private readonly distinctPairs: number[];
  private readonly seenColumns: number[];
  /**
   * Per window, the numeric columns whose moments (count, sums, extremes) a feature reads; the
   * others are not summed there (`last` reads the stored events).
   */
  private readonly momentColumns: Int32Array[];
  private readonly lateness: number;
  private readonly maxEvents: number;
  private readonly maxKeys: number;
  private readonly numVals: Float64Array;
  private readonly keyVals: (string | null)[];
  private readonly counters = { accepted: 0, late: 0, evicted: 0 };

  constructor(specs: readonly StreamFeatureSpec[], options: WindowEngineOptions = {}) {
    this.spec = compileFeatures(specs, new Set(options.textColumns ?? []));
    this.names = this.spec.features.map((f) => f.name);
    this.lateness = options.allowedLatenessMs ?? 60_000;
    this.maxEvents = 2 ** Math.ceil(Math.log2(Math.max(8, options.maxEventsPerEntity ?? 65_536)));
    this.maxKeys = options.maxKeysPerEntity ?? 1024;
    const { windows, keyColumns } = this.spec;
    this.finite = windows.flatMap((ms, w) => (Number.isFinite(ms) ? [w] : []));
    const K = keyColumns.length;
    this.distinctPairs = [
      ...new Set(this.spec.features.filter((f) => f.agg === 'distinct').map((f) => f.window * K + f.key)),
    ];
    this.seenColumns = [
      ...new Set(this.spec.features.filter((f) => f.agg === 'first_seen').map((f) => f.key)),
    ];
    this.momentColumns = windows.map((_, w) =>
      Int32Array.from(
        new Set(
          this.spec.features
            .filter((f) => f.window === w && f.numeric >= 0 && f.agg !== 'last')
            .map((f) => f.numeric),
        ),
      ),
    );
    this.numVals = new Float64Array(this.spec.numericColumns.length);
    this.keyVals = new Array<string | null>(K).fill(null);
  }

  get stats(): WindowEngineStats {
    return { entities: this.entityMap.size, ...this.counters };
  }

  /** Column names the events must carry: numeric ones, then key (text) ones. */
  get columns(): { numeric: string[]; keys: string[] } {
    return { numeric: [...this.spec.numericColumns], keys: [...this.spec.keyColumns] };
  }

  /**
   * Adds one event (`ts` in epoch ms, `event` holding the feature columns) and writes the
   * entity's features as of this event into `out` (feature order; NaN for missing and text).
   */
  update(entity: string, ts: number, event: object, out?: Float64Array): UpdateResult {
    let s = this.entityMap.get(entity);
    if (!s) {
      s = new EntityState(
        this.numVals.length,
        this.keyVals.length,
        this.spec.windows.length,
        this.names.length,
        this.distinctPairs,
        this.seenColumns,
      );
      this.entityMap.set(entity, s);
    }
    if (ts < s.watermark - this.lateness) {
      this.counters.late++;
      return 'late';
    }
    const { numericColumns, keyColumns, windows, features } = this.spec;
    for (let c = 0; c < numericColumns.length; c++)
      this.numVals[c] = toNumber((event as Record<string, unknown>)[numericColumns[c]]);
    for (let c = 0; c < keyColumns.length; c++)
      this.keyVals[c] = toKey((event as Record<string, unknown>)[keyColumns[c]]);

    const position = s.upperBound(ts);
    const isLatest = position === s.end;
    const result = out ?? new Float64Array(features.length);
    this.eventFeatures(s, position, ts, result, isLatest);

    if (s.size === s.cap) {
      if (s.cap < this.maxEvents) s.grow();
      else this.evictOldest(s);
    }
    const at = Math.max(position, s.head);
    s.shiftUp(at);
    const slot = at & s.mask;
    s.times[slot] = ts;
    for (let c = 0; c < s.N; c++) s.nums[slot * s.N + c] = this.numVals[c];
    for (let c = 0; c < s.K; c++) s.keys[slot * s.K + c] = this.keyVals[c];
    s.size++;
    const watermark = Math.max(s.watermark, ts);
    for (let w = 0; w < windows.length; w++) {
      if (s.start[w] > at) s.start[w]++;
      else if (s.start[w] === at && !(ts > watermark - windows[w])) s.start[w]++;
      if (at >= s.start[w]) this.include(s, w, at);
    }
    s.watermark = watermark;
    this.expire(s);
    this.trim(s);
    this.counters.accepted++;
    this.windowFeatures(s, result, null);
    return 'accepted';
  }

  /** The entity's features as of time `at` (default its watermark; earlier times read as the watermark). */
  read(entity: string, out: Float64Array, at?: number): boolean {
    const s = this.entityMap.get(entity);
    if (!s) {
      out.fill(Number.NaN);
      for (const f of this.spec.features)
        if (f.agg === 'count' || f.agg === 'sum' || f.agg === 'distinct') out[this.names.indexOf(f.name)] = 0;
      return false;
    }
    if (at === undefined || at <= s.watermark) {
      this.windowFeatures(s, out, s);
      return true;
    }
    // Reading ahead of the watermark must not move state: a late event may still land before `at`.
    const view = this.shadow(s, at);
    this.windowFeatures(view, out, s);
    return true;
  }

  /** The entity's features as a record (text `last` values included), or null for an unknown entity. */
  record(entity: string, at?: number): FeatureRecord | null {
    const s = this.entityMap.get(entity);
    if (!s) return null;
    const out = new Float64Array(this.names.length);
    this.read(entity, out, at);
    const record: FeatureRecord = {};
    this.spec.features.forEach((f, i) => {
      if (f.key >= 0 && f.agg === 'last') record[f.name] = s.latestText[i];
      else record[f.name] = Number.isFinite(out[i]) ? out[i] : null;
    });
    return record;
  }

  entities(): IterableIterator<string> {
    return this.entityMap.keys();
  }

  private include(s: EntityState, w: number, position: number): void {
    s.rows[w]++;
    const base = w * s.N;
    const columns = this.momentColumns[w];
    for (let m = 0; m < columns.length; m++) {
      const c = columns[m];
      const v = s.num(position, c);
      if (Number.isNaN(v)) continue;
      const i = base + c;
      if (s.cnt[i]++ === 0) s.shift[i] = v;
      const d = v - s.shift[i];
      s.sum[i] += v;
      s.dsum[i] += d;
      s.sumsq[i] += d * d;
      if (v < s.min[i]) s.min[i] = v;
      if (v > s.max[i]) s.max[i] = v;
    }
    for (let c = 0; c < s.K; c++) {
      const map = s.distinct[w * s.K + c];
      const k = s.key(position, c);
      if (map && k !== null) map.set(k, (map.get(k) ?? 0) + 1);
    }
  }

  private exclude(s: EntityState, w: number, position: number): void {
    s.rows[w]--;
    const base = w * s.N;
    const columns = this.momentColumns[w];
    for (let m = 0; m < columns.length; m++) {
      const c = columns[m];
      const v = s.num(position, c);
      if (Number.isNaN(v)) continue;
      const i = base + c;
      if (--s.cnt[i] === 0) {
        // An empty window restarts exactly, shedding the rounding of the subtractions.
        s.sum[i] = 0;
        s.dsum[i] = 0;
        s.sumsq[i] = 0;
        s.min[i] = Infinity;
        s.max[i] = -Infinity;
        s.stale[2 * i] = 0;
        s.stale[2 * i + 1] = 0;
        continue;
      }
      const d = v - s.shift[i];
      s.sum[i] -= v;
      s.dsum[i] -= d;
      s.sumsq[i] -= d * d;
      if (v === s.min[i]) s.stale[2 * i] = 1;
      if (v === s.max[i]) s.stale[2 * i + 1] = 1;
    }
    for (let c = 0; c < s.K; c++) {
      const map = s.distinct[w * s.K + c];
      const k = s.key(position, c);
      if (!map || k === null) continue;
      const n = (map.get(k) ?? 0) - 1;
      if (n <= 0) map.delete(k);
      else map.set(k, n);
    }
  }

  private expire(s: EntityState): void {
    for (const w of this.finite) {
      const edge = s.watermark - this.spec.windows[w];
      while (s.start[w] < s.end && s.time(s.start[w]) <= edge) {
        this.exclude(s, w, s.start[w]);
        s.start[w]++;
      }
    }
  }

  /** Drops events no finite window holds any more, keeping the newest (previous-event features need it). */
  private trim(s: EntityState): void {
    let keepFrom = s.end - 1;
    for (const w of this.finite) keepFrom = Math.min(keepFrom, s.start[w]);
    while (s.head < keepFrom) {
      s.head++;
      s.size--;
    }
  }

  private evictOldest(s: EntityState): void {
    for (let w = 0; w < this.spec.windows.length; w++) {
      if (s.start[w] === s.head) {
        this.exclude(s, w, s.head);
        s.start[w]++;
      }
    }
    s.head++;
    s.size--;
    this.counters.evicted++;
  }

  private eventFeatures(
    s: EntityState,
    position: number,
    ts: number,
    out: Float64Array,
    isLatest: boolean,
  ): void {
    const features = this.spec.features;
    const hasPrevious = position > s.head;
    for (let i = 0; i < features.length; i++) {
      const f = features[i];
      let value = Number.NaN;
      switch (f.agg) {
        case 'since_previous':
          if (hasPrevious) value = (ts - s.time(position - 1)) / 1000;
          break;
        case 'distance':
        case 'speed':
          if (hasPrevious) {
            const km = haversineKm(
              s.num(position - 1, f.lat),
              s.num(position - 1, f.lon),
              this.numVals[f.lat],
              this.numVals[f.lon],
            );
            // Two events in the same second: speed over one second rather than a division by zero.
            const hours = Math.max(1000, ts - s.time(position - 1)) / 3_600_000;
            value = f.agg === 'distance' ? km : km / hours;
          }
          break;
        case 'zscore':
          value = this.zscore(s, f, ts);
          break;
        case 'first_seen': {
          const k = this.keyVals[f.key];
          const seen = s.seen[f.key]!;
          if (k !== null) {
            value = seen.has(k) ? 0 : 1;
            if (value === 1) {
              seen.add(k);
              if (seen.size > this.maxKeys) seen.delete(seen.values().next().value!);
            }
          }
          break;
        }
        default:
          continue;
      }
      out[i] = value;
      if (isLatest) s.latest[i] = value;
    }
  }

  /** (x − mean) / std of the column over (ts − w, ts), before this event; NaN with fewer than 2 values or std 0. */
  private zscore(s: EntityState, f: CompiledFeature, ts: number): number {
    const x = this.numVals[f.numeric];
    const edge = Math.max(ts, s.watermark) - this.spec.windows[f.window];
    const i = f.window * s.N + f.numeric;
    const shift = s.shift[i];
    let n = 0;
    let dsum = 0;
    let sumsq = 0;
    let p = s.start[f.window];
    if (ts >= s.watermark) {
      n = s.cnt[i];
      dsum = s.dsum[i];
      sumsq = s.sumsq[i];
      for (; p < s.end && s.time(p) <= edge; p++) {
        const v = s.num(p, f.numeric);
        if (Number.isNaN(v)) continue;
        const d = v - shift;
        n--;
        dsum -= d;
        sumsq -= d * d;
      }
    } else {
      for (; p < s.end; p++) {
        const v = s.num(p, f.numeric);
        if (Number.isNaN(v) || s.time(p) <= edge) continue;
        const d = v - shift;
        n++;
        dsum += d;
        sumsq += d * d;
      }
    }
    if (n < 2 || Number.isNaN(x)) return Number.NaN;
    let mean = shift + dsum / n;
    let v = variance(n, dsum, sumsq);
    if (cancelled(n, dsum, sumsq)) {
      const exact = scanMoments(s, f.numeric, s.start[f.window], edge, ts);
      mean = exact.mean;
      v = exact.variance;
    }
    return v > 0 ? (x - mean) / Math.sqrt(v) : Number.NaN;
  }

  /** Window features of `s` into `out`; event features from `owner`'s latest event, or left as they are when null. */
  private windowFeatures(s: EntityState, out: Float64Array, owner: EntityState | null): void {
    const features = this.spec.features;
    for (let i = 0; i < features.length; i++) {
      const f = features[i];
      const w = f.window;
      const pair = w * s.N + f.numeric;
      switch (f.agg) {
        case 'count':
          out[i] = f.numeric >= 0 ? s.cnt[pair] : s.rows[w];
          break;
        case 'sum':
          out[i] = s.sum[pair];
          break;
        case 'mean':
          out[i] = s.cnt[pair] > 0 ? s.sum[pair] / s.cnt[pair] : Number.NaN;
          break;
        case 'min':
        case 'max':
          out[i] = s.cnt[pair] > 0 ? this.extreme(s, w, f.numeric, f.agg === 'min') : Number.NaN;
          break;
        case 'std': {
          const n = s.cnt[pair];
          if (n >= 2 && cancelled(n, s.dsum[pair], s.sumsq[pair])) this.rebase(s, w, f.numeric);
          out[i] = n < 2 ? Number.NaN : Math.sqrt(variance(n, s.dsum[pair], s.sumsq[pair]));
          break;
        }
        case 'distinct':
          out[i] = s.distinct[w * s.K + f.key]?.size ?? 0;
          break;
        case 'last':
          out[i] = this.last(s, w, f, i, owner ?? s);
          break;
        default:
          if (owner) out[i] = owner.latest[i];
      }
    }
  }

  private last(s: EntityState, w: number, f: CompiledFeature, i: number, owner: EntityState): number {
    for (let p = s.end - 1; p >= s.start[w] && p >= s.head; p--) {
      if (f.key >= 0) {
        const k = s.key(p, f.key);
        if (k !== null) {
          owner.latestText[i] = k;
          return Number.NaN;
        }
      } else {
        const v = s.num(p, f.numeric);
        if (!Number.isNaN(v)) return v;
      }
    }
    if (f.key >= 0) owner.latestText[i] = null;
    return Number.NaN;
  }

  /** Recomputes a window's shifted sums exactly, shifting by its current mean. */
  private rebase(s: EntityState, w: number, c: number): void {
    const i = w * s.N + c;
    const exact = scanMoments(s, c, s.start[w], -Infinity, Infinity);
    s.shift[i] = exact.mean;
    s.dsum[i] = 0;
    s.sumsq[i] = exact.variance * (exact.n - 1);
  }

  private extreme(s: EntityState, w: number, c: number, isMin: boolean): number {
    const i = w * s.N + c;
    const flag = 2 * i + (isMin ? 0 : 1);
    if (s.stale[flag]) {
      let best = isMin ? Infinity : -Infinity;
      for (let p = Math.max(s.start[w], s.head); p < s.end; p++) {
        const v = s.num(p, c);
        if (isMin ? v < best : v > best) best = v;
      }
      if (isMin) s.min[i] = best;
      else s.max[i] = best;
      s.stale[flag] = 0;
    }
    return isMin ? s.min[i] : s.max[i];
  }

  /** A copy of the entity's window state as of a later time `at`, for reads ahead of the watermark. */
  private shadow(s: EntityState, at: number): EntityState {
    const copy = Object.create(EntityState.prototype) as EntityState;
    Object.assign(copy, s, {
      start: s.start.slice(),
      rows: s.rows.slice(),
      cnt: s.cnt.slice(),
      sum: s.sum.slice(),
      shift: s.shift.slice(),
      dsum: s.dsum.slice(),
      sumsq: s.sumsq.slice(),
      min: s.min.slice(),
      max: s.max.slice(),
      stale: s.stale.slice(),
      distinct: s.distinct.map((m) => (m ? new Map(m) : null)),
      watermark: at,
    });
    this.expire(copy);
    return copy;
  }
}

/** Sample variance (n − 1) from the sum and sum of squares of shifted values. */
function variance(n: number, dsum: number, sumsq: number): number {
  return Math.max(0, (sumsq - (dsum * dsum) / n) / (n - 1));
}

/**
 * True when the spread is below a relative 1e-7 of the shifted values' second moment: what is
 * left there is rounding from values that left the window, and an exact scan must decide.
 */
function cancelled(n: number, dsum: number, sumsq: number): boolean {
  const m = dsum / n;
  return sumsq / n - m * m <= 1e-7 * (sumsq / n);
}

/** Exact two-pass mean and sample variance of column `c` over positions from `from` with time in (edge, until]. */
function scanMoments(s: EntityState, c: number, from: number, edge: number, until: number) {
  let n = 0;
  let sum = 0;
  for (let p = Math.max(from, s.head); p < s.end; p++) {
    const t = s.time(p);
    const v = s.num(p, c);
    if (t <= edge || t > until || Number.isNaN(v)) continue;
    n++;
    sum += v;
  }
  const mean = n > 0 ? sum / n : Number.NaN;
  let m2 = 0;
  for (let p = Math.max(from, s.head); p < s.end; p++) {
    const t = s.time(p);
    const v = s.num(p, c);
    if (t <= edge || t > until || Number.isNaN(v)) continue;
    m2 += (v - mean) ** 2;
  }
  return { n, mean, variance: n > 1 ? m2 / (n - 1) : 0 };
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined || value === '') return Number.NaN;
  return Number(value);
}

function toKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${value}`;
  return JSON.stringify(value);
}

import { CairnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { assignFolds } from '../ml/selection/kfold.js';
import { strataByClass } from '../ml/selection/strata.js';
import { categoryView, slotTable, type CategoryView } from './categories.js';
import { JsonReader } from './encoder-json.js';
import type { CategoricalEncoder, EncodedColumns } from './encoders.js';

export type TargetTask = 'binary' | 'regression' | 'multiclass';

export interface TargetEncoderOptions {
  /** binary: y is 0/1; regression: y is any finite number; multiclass: y is a class code 0..classes-1. */
  task: TargetTask;
  /** Number of classes for multiclass; default max(y) + 1. */
  classes?: number;
  /** m of the m-estimate: a category's mean counts as m rows of the prior; default 10. */
  smoothing?: number;
  /** Folds for the out-of-fold training encoding; default 5. */
  folds?: number;
  seed?: number;
}

/** What fitting returns: the encoder (full-data statistics) and the out-of-fold encoding of the training rows. */
export interface TargetEncoderFit {
  readonly encoder: TargetEncoder;
  /** Use this, not encoder.transform, for the training rows: row i is encoded without its own target. */
  readonly train: EncodedColumns;
  /** The fold (0..folds-1) of each training row, stratified by class for binary and multiclass. */
  readonly foldOf: Uint32Array;
}

/**
 * Target (mean) encoding with m-estimate smoothing: a category with n rows and target mean ȳ_c
 * encodes as (n ȳ_c + m · prior) / (n + m), pulling rare categories toward the prior. Multiclass
 * gives one column per class (the class's smoothed share). Missing is a category of its own;
 * an unseen category encodes as the prior.
 *
 * Encoding a training row with statistics that include its own target leaks the target into the
 * feature and inflates validation scores, so training rows are encoded out of fold: the rows are
 * split into k folds and each fold is encoded with statistics (prior included) of the other folds.
 */
export function fitTargetEncoder(
  col: Column,
  y: ArrayLike<number>,
  options: TargetEncoderOptions,
): TargetEncoderFit {
  const { task, smoothing = 10, folds = 5, seed = 42 } = options;
  const view = categoryView(col);
  const n = view.codes.length;
  if (y.length !== n) throw invalid(col.name, `the target has ${y.length} rows but the column has ${n}`);
  if (!(smoothing >= 0 && smoothing < Infinity)) {
    throw invalid(col.name, `smoothing is ${smoothing}; expected a number >= 0`);
  }
  const outputs = checkTarget(col.name, y, task, options.classes);
  const foldOf = assignFolds(n, {
    folds,
    seed,
    strata: task === 'regression' ? undefined : strataByClass(y),
  });

  const all = accumulate(view, y, outputs, task, (_) => true);
  const encoder = new TargetEncoder({ column: col.name, task, smoothing, ...all.toState(smoothing) });

  const columns = encoder.names.map(() => new Float64Array(n));
  for (let f = 0; f < folds; f++) {
    const outside = accumulate(view, y, outputs, task, (i) => foldOf[i] !== f).toState(smoothing);
    encodeInto(view, outside, columns, (i) => foldOf[i] === f);
  }
  return { encoder, train: { columns, names: [...encoder.names] }, foldOf };
}

/** The learned statistics: what toJSON saves. */
interface TargetStats {
  /** Categories seen in training, excluding missing. */
  categories: readonly string[];
  /** Per output k: the encoded value of categories[c] at values[k][c]. */
  values: readonly Float64Array[];
  /** Per output: the value for missing rows (the prior when training had none). */
  missing: Float64Array;
  /** Per output: the value for unseen categories. */
  prior: Float64Array;
}

export interface TargetEncoderState extends TargetStats {
  column: string;
  task: TargetTask;
  smoothing: number;
}

export class TargetEncoder implements CategoricalEncoder {
  readonly kind = 'target' as const;
  readonly column: string;
  readonly task: TargetTask;
  readonly smoothing: number;
  readonly categories: readonly string[];
  readonly names: readonly string[];
  private readonly stats: TargetStats;

  /** Use fitTargetEncoder or TargetEncoder.fromJSON. */
  constructor(state: TargetEncoderState) {
    this.column = state.column;
    this.task = state.task;
    this.smoothing = state.smoothing;
    this.categories = Object.freeze([...state.categories]);
    this.stats = {
      categories: this.categories,
      values: state.values.map((v) => Float64Array.from(v)),
      missing: Float64Array.from(state.missing),
      prior: Float64Array.from(state.prior),
    };
    this.names = Object.freeze(
      state.task === 'multiclass'
        ? Array.from(this.stats.prior, (_, k) => `${this.column}__target_${k}`)
        : [`${this.column}__target`],
    );
    Object.freeze(this);
  }

  /** Encodes new data with the full training statistics (for training rows use the fit's `train`). */
  transform(col: Column): EncodedColumns {
    const view = categoryView(col);
    const columns = this.names.map(() => new Float64Array(view.codes.length));
    encodeInto(view, this.stats, columns, () => true);
    return { columns, names: [...this.names] };
  }

  toJSON() {
    return {
      kind: this.kind,
      version: 1 as const,
      column: this.column,
      task: this.task,
      smoothing: this.smoothing,
      categories: [...this.categories],
      values: this.stats.values.map((v) => Array.from(v)),
      missing: Array.from(this.stats.missing),
      prior: Array.from(this.stats.prior),
    };
  }

  static fromJSON(json: unknown): TargetEncoder {
    const r: JsonReader = new JsonReader('target', json);
    const categories = r.strings('categories');
    const prior = r.numbers('prior');
    const values = (json as { values?: unknown }).values;
    if (!Array.isArray(values) || values.length !== prior.length)
      r.fail(`'values' is not a list of ${prior.length} lists`);
    const read = (v: unknown) => new JsonReader('target', { version: 1, v }).numbers('v', categories.length);
    return new TargetEncoder({
      column: r.string('column'),
      task: r.oneOf('task', ['binary', 'regression', 'multiclass'] as const),
      smoothing: r.number('smoothing'),
      categories,
      values: values.map(read),
      missing: r.numbers('missing', prior.length),
      prior,
    });
  }
}

/** Writes the encoding of rows where `use(i)` into `columns` (one per output). */
function encodeInto(
  view: CategoryView,
  stats: TargetStats,
  columns: Float64Array[],
  use: (i: number) => boolean,
): void {
  const missingSlot = stats.categories.length;
  const table = slotTable(view, new Map(stats.categories.map((c, k) => [c, k])), -1);
  const value = (k: number, slot: number) =>
    slot < 0 ? stats.prior[k] : slot === missingSlot ? stats.missing[k] : stats.values[k][slot];
  for (let i = 0; i < view.codes.length; i++) {
    if (!use(i)) continue;
    const code = view.codes[i];
    const slot = code < 0 ? missingSlot : table[code];
    for (let k = 0; k < columns.length; k++) columns[k][i] = value(k, slot);
  }
}

/** Sums and counts per category (by label) and for missing, over rows where `use(i)`. */
function accumulate(
  view: CategoryView,
  y: ArrayLike<number>,
  outputs: number,
  task: TargetTask,
  use: (i: number) => boolean,
): { toState(smoothing: number): TargetStats } {
  const byLabel = new Map<string, number>();
  const labelSlot = Int32Array.from(view.labels, (label) => {
    if (!byLabel.has(label)) byLabel.set(label, byLabel.size);
    return byLabel.get(label)!;
  });
  const m = byLabel.size;
  const count = new Float64Array(m + 1);
  const sum = Array.from({ length: outputs }, () => new Float64Array(m + 1));
  for (let i = 0; i < view.codes.length; i++) {
    if (!use(i)) continue;
    const code = view.codes[i];
    const slot = code < 0 ? m : labelSlot[code];
    count[slot]++;
    if (task === 'multiclass') sum[y[i]][slot]++;
    else sum[0][slot] += y[i];
  }
  return {
    toState(smoothing: number) {
      const labels = [...byLabel.keys()].filter((_, s) => count[s] > 0);
      const slots = labels.map((label) => byLabel.get(label)!);
      const rows = count.reduce((a, b) => a + b, 0);
      const prior = Float64Array.from(sum, (s) => s.reduce((a, b) => a + b, 0) / rows);
      const smooth = (k: number, s: number) => (sum[k][s] + smoothing * prior[k]) / (count[s] + smoothing);
      return {
        categories: labels,
        values: sum.map((_, k) => Float64Array.from(slots, (s) => smooth(k, s))),
        missing: Float64Array.from(prior, (p, k) => (count[m] > 0 ? smooth(k, m) : p)),
        prior,
      };
    },
  };
}

/** Number of output columns; throws on a target value the task cannot take. */
function checkTarget(column: string, y: ArrayLike<number>, task: TargetTask, classes?: number): number {
  if (task !== 'binary' && task !== 'regression' && task !== 'multiclass') {
    throw invalid(column, `task is '${String(task)}'; expected 'binary', 'regression' or 'multiclass'`);
  }
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const ok =
      task === 'regression'
        ? Number.isFinite(v)
        : task === 'binary'
          ? v === 0 || v === 1
          : Number.isInteger(v) && v >= 0;
    if (!ok) throw invalid(column, `target row ${i} is ${v}; a ${task} target must be ${expected(task)}`);
    max = Math.max(max, v);
  }
  if (task !== 'multiclass') return 1;
  const k = classes ?? max + 1;
  if (!(Number.isInteger(k) && k >= 2 && k > max))
    throw invalid(column, `classes is ${k} but the target reaches class ${max}`);
  return k;
}

function expected(task: TargetTask): string {
  return task === 'regression' ? 'a finite number' : task === 'binary' ? '0 or 1' : 'a class code 0, 1, 2, …';
}

function invalid(column: string, why: string): CairnError {
  return new CairnError('INVALID_ARGUMENT', `target encoding of column '${column}': ${why}`);
}

import { CairnError } from '../core/errors.js';
import { isValid, stringAt, toFloat64, type Column } from '../core/frame.js';
import type { ModelTask, SupervisedTask } from './spec.js';

/**
 * One value an unsupervised model gives each row, in the order of its `predict` output: a number,
 * an integer (a cluster, a 0/1 flag), or a code into `labels` (a filled category).
 */
export interface OutputSpec {
  name: string;
  type: 'double' | 'integer' | 'label';
  labels?: string[];
}

/**
 * What a model knows about its target: the task, and for classification the class labels. An
 * unsupervised model has no target; its `column` is the label column its metrics compared with
 * ('' when none) and `outputs` say what each row's prediction holds.
 */
export interface TargetInfo {
  column: string;
  task: ModelTask;
  /** Classification: labels in code order (code i means classes[i]); binary: [negative, positive]. */
  classes?: string[];
  /** Unsupervised tasks only: the columns a prediction adds, row-major in `predict`'s output. */
  outputs?: OutputSpec[];
}

/** The target of a supervised model. */
export type SupervisedTarget = TargetInfo & { task: SupervisedTask };

export interface EncodedTarget {
  info: SupervisedTarget;
  /** Class codes (classification) or values (regression) for the rows in `rows`. */
  y: Float64Array;
  /** Rows of the frame that have a target value; rows without one cannot be learned from. */
  rows: Uint32Array;
}

/** Integer targets with at most this many distinct values are classes when no task is given. */
const MAX_INFERRED_CLASSES = 10;

function labelOf(col: Column, i: number): string | null {
  if (!isValid(col, i)) return null;
  if (col.kind === 'string') return stringAt(col, i);
  if (col.kind === 'bool') return col.values[i] ? 'true' : 'false';
  const value = toFloat64Value(col, i);
  return Number.isNaN(value) ? null : String(value);
}

function toFloat64Value(col: Column, i: number): number {
  if (col.kind === 'int64' || col.kind === 'timestamp') return Number(col.values[i]);
  if (col.kind === 'string') return NaN;
  return col.values[i];
}

/** Sorts labels the way people expect: false < true, numbers numerically, text alphabetically. */
function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}

function inferTask(col: Column, distinct: number): SupervisedTask {
  if (col.kind === 'string' || col.kind === 'bool') return distinct === 2 ? 'binary' : 'multiclass';
  const values = toFloat64(col);
  const integral = values.every((v) => Number.isNaN(v) || Number.isInteger(v));
  if (integral && distinct <= MAX_INFERRED_CLASSES) return distinct === 2 ? 'binary' : 'multiclass';
  return 'regression';
}

/**
 * Reads the target column. Classification labels become codes in sorted label order, so for a
 * binary target the positive class is the last label ('Yes' after 'No', 'true' after 'false', 1
 * after 0) unless `positiveClass` says otherwise. Rows with no target are left out.
 */
export function encodeTarget(
  col: Column,
  task: SupervisedTask | undefined,
  positiveClass?: string | number | boolean,
): EncodedTarget {
  const n = col.length;
  const labels = new Array<string | null>(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const label = labelOf(col, i);
    labels[i] = label;
    if (label !== null) seen.add(label);
  }
  const rows = Uint32Array.from(labels.flatMap((label, i) => (label === null ? [] : [i])));
  if (rows.length === 0)
    throw new CairnError('INVALID_ARGUMENT', `target column '${col.name}' has no values`);
  const resolved = task ?? inferTask(col, seen.size);
  if (resolved === 'regression') {
    if (col.kind === 'string') {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `target column '${col.name}' holds text; regression needs numbers`,
      );
    }
    const values = toFloat64(col);
    return {
      info: { column: col.name, task: resolved },
      y: Float64Array.from(rows, (r) => values[r]),
      rows,
    };
  }
  let classes = sortLabels([...seen]);
  if (resolved === 'binary') {
    if (classes.length !== 2) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `binary target '${col.name}' must hold exactly 2 classes; it holds ${classes.length} (${classes.slice(0, 5).join(', ')})`,
      );
    }
    if (positiveClass !== undefined) {
      const positive = String(positiveClass);
      if (!classes.includes(positive)) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `positive_class '${positive}' is not a value of '${col.name}' (${classes.join(', ')})`,
        );
      }
      classes = [classes.find((c) => c !== positive)!, positive];
    }
  } else if (classes.length < 2) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `target '${col.name}' holds a single class; there is nothing to learn`,
    );
  }
  const code = new Map(classes.map((c, i) => [c, i]));
  return {
    info: { column: col.name, task: resolved, classes },
    y: Float64Array.from(rows, (r) => code.get(labels[r]!)!),
    rows,
  };
}

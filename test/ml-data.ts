import { fileURLToPath } from 'node:url';
import { CairnError } from '../src/core/errors.js';
import { isValid, toFloat64, type Column, type StringColumn } from '../src/core/frame.js';
import { Random } from '../src/core/random.js';
import { takeRows, type FeatureMatrix } from '../src/ml/matrix.js';
import { Database } from '../src/warehouse/database.js';
import { readFrame } from '../src/warehouse/frame-io.js';
import { ident, literal } from '../src/warehouse/sql.js';

/**
 * Real datasets from data/ as ML inputs, read the way the platform reads them (DuckDB → Frame), for
 * tests of src/ml. String features become categorical codes in sorted label order (the order
 * scikit-learn's encoders use, so reference scripts can rebuild the same matrix); booleans are 0/1.
 */

export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

export interface LoadOptions {
  /** The target column; strings and booleans become class codes 0..k-1 in sorted order. */
  target: string;
  /** Columns to leave out (ids, label names). */
  drop?: readonly string[];
}

export interface Dataset {
  X: FeatureMatrix;
  y: Float64Array;
  /** Class labels by code when the target is a string or boolean column. */
  classes?: string[];
  /** Per feature: category labels by code for a string feature, null for a numeric or boolean (0/1) one. */
  categories: (string[] | null)[];
}

const cache = new Map<string, Promise<Dataset>>();

/** Loads `data/<file>` (CSV; blanks are missing) once per process and options. */
export function loadCsv(file: string, options: LoadOptions): Promise<Dataset> {
  const key = JSON.stringify([file, options.target, options.drop ?? []]);
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = readDataset(file, options);
    cache.set(key, pending);
  }
  return pending;
}

async function readDataset(file: string, options: LoadOptions): Promise<Dataset> {
  const drop = options.drop ?? [];
  const exclude = drop.length > 0 ? ` EXCLUDE (${drop.map(ident).join(', ')})` : '';
  const source = `read_csv(${literal(DATA_DIR + file)}, nullstr = ['', ' '])`;
  const db = await Database.open(':memory:');
  try {
    const frame = await readFrame(db, `SELECT *${exclude} FROM ${source}`);
    const target = frame.columns.find((c) => c.name === options.target);
    if (target === undefined) {
      throw new CairnError('NOT_FOUND', `target '${options.target}' is not a column of ${file}`);
    }
    const features = frame.columns.filter((c) => c !== target);
    const columns: Float64Array[] = [];
    const categories: (string[] | null)[] = [];
    for (const col of features) {
      const encoded = encode(col);
      columns.push(encoded.values);
      categories.push(encoded.labels);
    }
    const { values: y, labels } = encode(target);
    const classes = target.kind === 'bool' ? ['false', 'true'] : labels;
    for (let i = 0; i < y.length; i++) {
      if (Number.isNaN(y[i])) {
        throw new CairnError('INVALID_ARGUMENT', `target '${target.name}' of ${file} is missing at row ${i}`);
      }
    }
    const rows = frame.rows;
    const data = new Float64Array(rows * columns.length);
    columns.forEach((values, j) => data.set(values, j * rows));
    const X: FeatureMatrix = {
      rows,
      cols: columns.length,
      data,
      names: features.map((c) => c.name),
      categoryCounts: Int32Array.from(categories, (labels) => labels?.length ?? 0),
    };
    return classes === null ? { X, y, categories } : { X, y, classes, categories };
  } finally {
    db.close();
  }
}

function encode(col: Column): { values: Float64Array; labels: string[] | null } {
  if (col.kind === 'string') return encodeStrings(col);
  return { values: toFloat64(col), labels: null };
}

/** Codes in sorted label order (code-unit order, as Python's sorted), not DuckDB's first-seen order. */
function encodeStrings(col: StringColumn): { values: Float64Array; labels: string[] } {
  const labels = [...col.dictionary].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(labels.map((label, code) => [label, code]));
  const recode = Float64Array.from(col.dictionary, (label) => rank.get(label)!);
  const values = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const code = col.codes[i];
    values[i] = code < 0 || !isValid(col, i) ? NaN : recode[code];
  }
  return { values, labels };
}

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * A seeded train/test split; rows keep their order within each part. Stratified by class when
 * `stratify` is set (y holds class codes): each class sends round(count × testFraction) rows to test.
 */
export function trainTestSplit(
  y: Float64Array,
  options: { testFraction: number; seed: number; stratify: boolean },
): Split {
  const n = y.length;
  const random = new Random(options.seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = options.stratify ? y[i] : 0;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [i]);
    else group.push(i);
  }
  const isTest = new Uint8Array(n);
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = random.shuffle(Uint32Array.from(groups.get(key)!));
    const take = Math.round(members.length * options.testFraction);
    for (let t = 0; t < take; t++) isTest[members[t]] = 1;
  }
  const test = Uint32Array.from(indexWhere(isTest, 1));
  const train = Uint32Array.from(indexWhere(isTest, 0));
  return { train, test };
}

function indexWhere(flags: Uint8Array, value: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] === value) out.push(i);
  return out;
}

/** The elements `index` of `values` (row subsets of targets and weights). */
export function takeValues(values: Float64Array, index: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: index.length }, (_, i) => values[index[i]]);
}

/** The datasets in data/ that ML tests use, with their targets and the columns to leave out. */
export const DATASETS = {
  breast_cancer: { file: 'breast_cancer.csv', target: 'target', drop: ['target_name'], task: 'binary' },
  iris: { file: 'iris.csv', target: 'target', drop: ['target_name'], task: 'multiclass' },
  wine: { file: 'wine.csv', target: 'target', drop: ['target_name'], task: 'multiclass' },
  california: { file: 'california_housing.csv', target: 'median_house_value', drop: [], task: 'regression' },
  telco: { file: 'telco_customer_churn.csv', target: 'Churn', drop: ['customerID'], task: 'binary' },
} as const;

export type DatasetName = keyof typeof DATASETS;

export interface Holdout {
  train: { X: FeatureMatrix; y: Float64Array };
  test: { X: FeatureMatrix; y: Float64Array };
  split: Split;
  dataset: Dataset;
}

/** A named dataset split into train and test (stratified unless it is a regression). */
export async function loadHoldout(
  name: DatasetName,
  options = { testFraction: 0.25, seed: 42 },
): Promise<Holdout> {
  const spec = DATASETS[name];
  const dataset = await loadCsv(spec.file, { target: spec.target, drop: spec.drop });
  const split = trainTestSplit(dataset.y, { ...options, stratify: spec.task !== 'regression' });
  const part = (index: Uint32Array) => ({ X: takeRows(dataset.X, index), y: takeValues(dataset.y, index) });
  return { train: part(split.train), test: part(split.test), split, dataset };
}

import { isValid, toFloat64, type Column, type StringColumn } from '../../src/core/frame.js';
import type { FeatureMatrix } from '../../src/ml/matrix.js';
import { Database } from '../../src/warehouse/database.js';
import { readFrame } from '../../src/warehouse/frame-io.js';
import { literal } from '../../src/warehouse/sql.js';

export interface Part {
  X: FeatureMatrix;
  y: Float64Array;
}

/**
 * Reads a train and a test CSV through DuckDB in one query, so string features share one
 * dictionary: they become categorical codes in sorted label order (the ordinal codes peer.py gives
 * XGBoost). Booleans are 0/1. The target is a number, a boolean, or strings whose last label in
 * sorted order is the positive class (peer.py's rule) — or, for multiclass, codes in sorted order.
 */
export async function loadTrainTest(
  trainCsv: string,
  testCsv: string,
  target: string,
  drop: readonly string[],
): Promise<{ train: Part; test: Part }> {
  const db = await Database.open(':memory:');
  try {
    const read = (file: string) =>
      `SELECT * FROM read_csv(${literal(file)}, nullstr = ['', ' '], sample_size = -1)`;
    const frame = await readFrame(db, `(${read(trainCsv)}) UNION ALL BY NAME (${read(testCsv)})`);
    const counts = await db.rows(
      `SELECT count(*) AS n FROM read_csv(${literal(trainCsv)}, sample_size = -1)`,
    );
    const nTrain = Number(counts[0].n);
    const targetColumn = frame.columns.find((c) => c.name === target);
    if (targetColumn === undefined) throw new Error(`target '${target}' is not a column of ${trainCsv}`);
    const features = frame.columns.filter((c) => c !== targetColumn && !drop.includes(c.name));
    const encoded = features.map(encode);
    const y = encode(targetColumn).values;
    const part = (from: number, to: number): Part => {
      const rows = to - from;
      const data = new Float64Array(rows * features.length);
      encoded.forEach((e, j) => data.set(e.values.subarray(from, to), j * rows));
      return {
        X: {
          rows,
          cols: features.length,
          data,
          names: features.map((c) => c.name),
          categoryCounts: Int32Array.from(encoded, (e) => e.categories),
        },
        y: y.slice(from, to),
      };
    };
    return { train: part(0, nTrain), test: part(nTrain, frame.rows) };
  } finally {
    db.close();
  }
}

function encode(col: Column): { values: Float64Array; categories: number } {
  if (col.kind !== 'string') return { values: toFloat64(col), categories: 0 };
  return encodeStrings(col);
}

function encodeStrings(col: StringColumn): { values: Float64Array; categories: number } {
  const labels = [...col.dictionary].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(labels.map((label, code) => [label, code]));
  const recode = Float64Array.from(col.dictionary, (label) => rank.get(label)!);
  const values = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const code = col.codes[i];
    values[i] = code < 0 || !isValid(col, i) ? NaN : recode[code];
  }
  return { values, categories: labels.length };
}

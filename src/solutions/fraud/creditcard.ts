import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../core/errors.js';
import { featureMatrix, type FeatureMatrix } from '../../ml/matrix.js';

/** The real ULB credit-card sample shipped in data/ (see data/README.md). */
export const CREDITCARD_CSV = path.resolve(
  import.meta.dirname,
  '../../../data/creditcard_ulb_undersample.csv',
);

export interface CreditCardSet {
  /** V1–V28 and Amount. */
  X: FeatureMatrix;
  y: Float64Array;
  /** Seconds since the first transaction of the original two-day capture. */
  time: Float64Array;
}

/** Reads the credit-card CSV (numeric columns Time, V1–V28, Amount, Class). */
export function readCreditCardCsv(file = CREDITCARD_CSV): CreditCardSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read the credit-card file ${file}`, { cause: error });
  }
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0].split(',').map((h) => h.replace(/^"|"$/g, ''));
  const timeAt = header.indexOf('Time');
  const classAt = header.indexOf('Class');
  if (timeAt < 0 || classAt < 0) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${file} has no 'Time' or 'Class' column; header: ${header.join(', ')}`,
    );
  }
  const featureAt = header.map((_, j) => j).filter((j) => j !== timeAt && j !== classAt);
  const n = lines.length - 1;
  const cols = featureAt.map(() => new Float64Array(n));
  const y = new Float64Array(n);
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(',');
    const cls = Number(cells[classAt].replace(/"/g, ''));
    if (cls !== 0 && cls !== 1) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${file} row ${i + 2}: Class is '${cells[classAt]}'; expected 0 or 1`,
      );
    }
    y[i] = cls;
    time[i] = Number(cells[timeAt]);
    featureAt.forEach((j, k) => (cols[k][i] = cells[j] === '' ? NaN : Number(cells[j])));
  }
  return {
    X: featureMatrix(
      cols,
      featureAt.map((j) => header[j]),
    ),
    y,
    time,
  };
}

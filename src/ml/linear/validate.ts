import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';

/** Argument checks shared by the linear models; each throws INVALID_ARGUMENT naming the operation. */

export function invalid(operation: string, message: string): CairnError {
  return new CairnError('INVALID_ARGUMENT', `${operation}: ${message}`);
}

export function checkTrainingData(
  operation: string,
  X: FeatureMatrix,
  y: Float64Array,
  weights: Float64Array | undefined,
): void {
  if (X.rows === 0) throw invalid(operation, 'X has no rows');
  if (X.data.length !== X.rows * X.cols || X.names.length !== X.cols || X.categoryCounts.length !== X.cols) {
    throw invalid(
      operation,
      `X is not a ${X.rows} × ${X.cols} feature matrix (data, names or categoryCounts)`,
    );
  }
  if (y.length !== X.rows) throw invalid(operation, `y has ${y.length} values but X has ${X.rows} rows`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]))
      throw invalid(operation, `y holds ${y[i]} at row ${i}; targets must be finite`);
  }
  if (weights === undefined) return;
  if (weights.length !== X.rows) {
    throw invalid(operation, `weights has ${weights.length} values but X has ${X.rows} rows`);
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw invalid(operation, `weights holds ${w} at row ${i}; weights must be finite and ≥ 0`);
    }
    total += w;
  }
  if (!(total > 0)) throw invalid(operation, 'weights sum to 0');
}

/** A number parameter with a default, checked to lie in [min, max] (and to be an integer if asked). */
export function numberParam(
  operation: string,
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Infinity,
  integer = false,
): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw invalid(
      operation,
      `'${name}' is ${String(v)}; expected ${integer ? 'an integer' : 'a number'} ${range}`,
    );
  }
  return v;
}

export function choiceParam<T extends string>(
  operation: string,
  name: string,
  value: T | undefined,
  fallback: T,
  choices: readonly T[],
): T {
  const v = value ?? fallback;
  if (!choices.includes(v)) {
    throw invalid(
      operation,
      `'${name}' is '${String(v)}'; expected one of ${choices.map((c) => `'${c}'`).join(', ')}`,
    );
  }
  return v;
}

/** An array of `length` finite numbers from a parsed JSON object, or INVALID_ARGUMENT. */
export function jsonNumbers(where: string, value: unknown, key: string, length: number): Float64Array {
  const list = (value as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list) || list.length !== length || !list.every((v) => Number.isFinite(v))) {
    throw invalid(where, `'${key}' must be an array of ${length} finite numbers`);
  }
  return Float64Array.from(list as number[]);
}

/** Checks the `format` and `version` header of a saved model. */
export function checkHeader(
  where: string,
  json: unknown,
  format: string,
  version: number,
): Record<string, unknown> {
  if (typeof json !== 'object' || json === null) throw invalid(where, 'expected a JSON object');
  const record = json as Record<string, unknown>;
  if (record.format !== format) {
    throw invalid(where, `'format' is ${JSON.stringify(record.format)}; expected '${format}'`);
  }
  if (record.version !== version) {
    throw invalid(
      where,
      `'version' is ${JSON.stringify(record.version)}; this build reads version ${version}`,
    );
  }
  return record;
}

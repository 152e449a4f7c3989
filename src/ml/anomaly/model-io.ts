import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';

/** Input checks and JSON reading shared by the anomaly detectors and imputers. */

/** Throws INVALID_ARGUMENT unless X has at least `minRows` rows and one feature. */
export function checkTraining(X: FeatureMatrix, operation: string, minRows = 2): void {
  if (X.rows < minRows || X.cols < 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation} got ${X.rows} rows × ${X.cols} features; it needs ≥ ${minRows} rows and ≥ 1 feature`,
    );
  }
  if (X.data.length !== X.rows * X.cols) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation}: data holds ${X.data.length} values, not rows × cols = ${X.rows * X.cols}`,
    );
  }
}

/** Throws INVALID_ARGUMENT unless X has the training features, by count and name. */
export function checkColumns(X: FeatureMatrix, names: readonly string[], operation: string): void {
  if (X.cols !== names.length) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation} got ${X.cols} features; the model was trained on ${names.length} (${names.join(', ')})`,
    );
  }
  for (let j = 0; j < names.length; j++) {
    if (X.names[j] !== undefined && X.names[j] !== names[j]) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${operation}: feature ${j} is '${X.names[j]}'; the model was trained with '${names[j]}' there`,
      );
    }
  }
}

/** Throws INVALID_ARGUMENT naming the parameter unless value is an integer in [min, max]. */
export function checkInteger(
  operation: string,
  name: string,
  value: number,
  min: number,
  max = Infinity,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation}: ${name} must be an integer in [${min}, ${max}]; got ${value}`,
    );
  }
}

/** Throws INVALID_ARGUMENT naming the parameter unless min < value ≤ max (or min ≤ value with closed). */
export function checkNumber(
  operation: string,
  name: string,
  value: number,
  min: number,
  max = Infinity,
  closed = false,
): void {
  if (!(closed ? value >= min : value > min) || !(value <= max)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${operation}: ${name} must be in ${closed ? '[' : '('}${min}, ${max}]; got ${value}`,
    );
  }
}

/** The object `json` if it is one with the given format tag, else INVALID_ARGUMENT. */
export function readHeader(json: unknown, format: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== format) {
    throw new CairnError('INVALID_ARGUMENT', `not a saved ${format} model (format tag missing or different)`);
  }
  return json as Record<string, unknown>;
}

/** json[key] as a Float64Array (null entries read as NaN, since JSON has no NaN). */
export function readNumbers(json: Record<string, unknown>, key: string, format: string): Float64Array {
  const value = json[key];
  if (!Array.isArray(value)) {
    throw new CairnError('INVALID_ARGUMENT', `${format} model: '${key}' must be an array of numbers`);
  }
  return Float64Array.from(value, (v) => {
    if (v === null) return NaN;
    if (typeof v !== 'number') {
      throw new CairnError('INVALID_ARGUMENT', `${format} model: '${key}' holds ${JSON.stringify(v)}`);
    }
    return v;
  });
}

/** json[key] as a number, else INVALID_ARGUMENT. */
export function readNumber(json: Record<string, unknown>, key: string, format: string): number {
  const value = json[key];
  if (typeof value !== 'number') {
    throw new CairnError('INVALID_ARGUMENT', `${format} model: '${key}' must be a number`);
  }
  return value;
}

/** json[key] as an array of strings, else INVALID_ARGUMENT. */
export function readStrings(json: Record<string, unknown>, key: string, format: string): string[] {
  const value = json[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new CairnError('INVALID_ARGUMENT', `${format} model: '${key}' must be an array of strings`);
  }
  return value;
}

/** Numbers for JSON: NaN and ±Infinity become null (JSON.stringify would write null anyway). */
export function toJsonNumbers(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}

import { CairnError } from '../core/errors.js';
import { featureMatrix, type FeatureMatrix } from '../ml/matrix.js';
import { datePartOf, type DatePart, type FeatureSpec } from '../models/features.js';

/**
 * What a model does with imperfect request rows, declared in its spec's `serving` section. By
 * default every departure from the feature schema is a 400; `impute` and `missing` hand the value
 * to the model's own missing-value handling instead. A JSON null is always a missing value.
 */
export interface InputPolicy {
  missingFields: 'reject' | 'impute';
  unknownFields: 'reject' | 'ignore';
  unseenCategories: 'reject' | 'missing';
}

export const DEFAULT_INPUT_POLICY: InputPolicy = {
  missingFields: 'reject',
  unknownFields: 'reject',
  unseenCategories: 'reject',
};

/** One bad field: where it is (`rows[3].tenure`) and what is wrong with it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Reads request rows into the model's feature matrix, or fails with every problem found (up to 20). */
export interface InputReader {
  /** The request fields the model reads (input columns), in schema order. */
  readonly fields: readonly string[];
  read(rows: readonly unknown[]): FeatureMatrix;
}

const MAX_PROBLEMS = 20;

/** Writes one field's value into the matrix; returns what is wrong with the value, if anything. */
type Write = (value: unknown, r: number, n: number, data: Float64Array) => string | undefined;

/** The reader for a model's features: one writer per input field, filling the features it feeds. */
export function inputReader(
  features: readonly FeatureSpec[],
  policy: InputPolicy = DEFAULT_INPUT_POLICY,
): InputReader {
  const fields = [...new Set(features.map((f) => f.column))];
  const writers = new Map<string, Write[]>(fields.map((field) => [field, []]));
  features.forEach((feature, f) => writers.get(feature.column)!.push(writerFor(feature, f, policy)));
  const fieldWriters = [...writers];
  const known = new Set(fields);
  const names = features.map((f) => f.name);
  const counts = features.map((f) => (f.kind === 'categorical' ? f.categories.length : 0));
  return {
    fields,
    read(rows) {
      const n = rows.length;
      const data = new Float64Array(n * features.length);
      const problems: FieldProblem[] = [];
      for (let r = 0; r < n && problems.length < MAX_PROBLEMS; r++) {
        const row = rows[r];
        if (row === null || typeof row !== 'object' || Array.isArray(row)) {
          problems.push({ path: `rows[${r}]`, message: 'expected an object of field values' });
          continue;
        }
        const record = row as Record<string, unknown>;
        for (const [field, writes] of fieldWriters) {
          // The path is built only for a problem: this loop runs for every field of every request.
          if (!(field in record) && policy.missingFields === 'reject') {
            problems.push({
              path: `rows[${r}].${field}`,
              message: 'is missing; the model needs it (send null for an unknown value)',
            });
            continue;
          }
          const value = record[field] ?? null;
          for (const write of writes) {
            const message = write(value, r, n, data);
            if (message !== undefined) problems.push({ path: `rows[${r}].${field}`, message });
          }
        }
        if (policy.unknownFields === 'reject') {
          for (const field of Object.keys(record)) {
            if (!known.has(field))
              problems.push({ path: `rows[${r}].${field}`, message: 'is not a field of the model' });
          }
        }
      }
      if (problems.length > 0) throw inputError(problems);
      return featureMatrix(
        features.map((_, f) => data.subarray(f * n, (f + 1) * n)),
        names,
        counts,
      );
    },
  };
}

function inputError(problems: FieldProblem[]): CairnError {
  const shown = problems.slice(0, 5).map((p) => `${p.path} ${p.message}`);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new CairnError('INVALID_ARGUMENT', `${shown.join('; ')}${more}`, { details: { problems } });
}

function writerFor(feature: FeatureSpec, f: number, policy: InputPolicy): Write {
  if (feature.kind === 'numeric') {
    return (value, r, n, data) => {
      data[f * n + r] = typeof value === 'number' ? value : typeof value === 'boolean' ? +value : NaN;
      return value === null || typeof value === 'number' || typeof value === 'boolean'
        ? undefined
        : `is ${describe(value)}; expected a number`;
    };
  }
  if (feature.kind === 'categorical') {
    const codes = new Map(feature.categories.map((c, i) => [c, i]));
    const known = feature.categories.slice(0, 10).join(', ') + (feature.categories.length > 10 ? ', …' : '');
    return (value, r, n, data) => {
      data[f * n + r] = NaN;
      if (value === null) return undefined;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        return `is ${describe(value)}; expected text`;
      const code = codes.get(String(value));
      if (code !== undefined) data[f * n + r] = code;
      else if (policy.unseenCategories === 'reject')
        return `is '${String(value)}', a category the model has not seen (known: ${known})`;
      return undefined;
    };
  }
  const part: DatePart = feature.part;
  return (value, r, n, data) => {
    data[f * n + r] = NaN;
    if (value === null) return undefined;
    if (typeof value !== 'string') return `is ${describe(value)}; expected an ISO 8601 date or timestamp`;
    const millis = parseInstant(value);
    if (Number.isNaN(millis)) return `is '${value}'; expected an ISO 8601 date or timestamp`;
    data[f * n + r] = datePartOf(millis, part);
    return undefined;
  };
}

/** Milliseconds since the epoch; a date or timestamp without a zone is UTC, as the warehouse stores it. */
function parseInstant(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return NaN;
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed) || trimmed.length === 10;
  return Date.parse(zoned ? trimmed : `${trimmed.replace(' ', 'T')}Z`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `'${value.slice(0, 40)}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return `a value of type ${typeof value}`;
}

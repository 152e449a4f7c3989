import { CairnError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';

/**
 * A hyperparameter search space: one spec per parameter. Bounds are inclusive.
 * - int: a uniform whole number in [min, max];
 * - float: uniform in [min, max);
 * - logfloat: log-uniform in [min, max), min > 0 (learning rates, regularisation strengths);
 * - choice: one of `values`, each equally likely.
 */
export type ParamSpec =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'float'; min: number; max: number }
  | { kind: 'logfloat'; min: number; max: number }
  | { kind: 'choice'; values: readonly ParamValue[] };

export type ParamValue = number | string | boolean;
export type SearchSpace = Readonly<Record<string, ParamSpec>>;
export type Params = Record<string, ParamValue>;

/** Throws INVALID_ARGUMENT naming the first parameter whose spec cannot be sampled. */
export function checkSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new CairnError('INVALID_ARGUMENT', 'search space: no parameters to search');
  for (const name of names) {
    const spec = space[name];
    const bad = (why: string) =>
      new CairnError('INVALID_ARGUMENT', `search space: parameter '${name}' ${why}`);
    switch (spec.kind) {
      case 'choice':
        if (!Array.isArray(spec.values) || spec.values.length === 0) throw bad('is a choice with no values');
        break;
      case 'int':
      case 'float':
      case 'logfloat':
        if (!Number.isFinite(spec.min) || !Number.isFinite(spec.max) || spec.min > spec.max) {
          throw bad(`has bounds [${spec.min}, ${spec.max}]; expected finite min <= max`);
        }
        if (spec.kind === 'int' && (!Number.isInteger(spec.min) || !Number.isInteger(spec.max))) {
          throw bad(`is an int with bounds [${spec.min}, ${spec.max}]; expected whole numbers`);
        }
        if (spec.kind === 'logfloat' && spec.min <= 0)
          throw bad(`is a logfloat with min ${spec.min}; expected min > 0`);
        break;
      default:
        throw bad(
          `has kind '${String((spec as { kind: unknown }).kind)}'; expected int, float, logfloat or choice`,
        );
    }
  }
}

/** One draw from the space, parameters drawn in the space's key order (so a seed fixes the sequence). */
export function sampleParams(space: SearchSpace, random: Random): Params {
  const params: Params = {};
  for (const [name, spec] of Object.entries(space)) {
    switch (spec.kind) {
      case 'int':
        params[name] = spec.min + random.int(spec.max - spec.min + 1);
        break;
      case 'float':
        params[name] = spec.min + random.next() * (spec.max - spec.min);
        break;
      case 'logfloat': {
        const lo = Math.log(spec.min);
        params[name] = Math.min(spec.max, Math.exp(lo + random.next() * (Math.log(spec.max) - lo)));
        break;
      }
      case 'choice':
        params[name] = spec.values[random.int(spec.values.length)]!;
        break;
    }
  }
  return params;
}

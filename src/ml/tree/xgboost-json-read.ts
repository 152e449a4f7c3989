import { CairnError, errorMessage } from '../../core/errors.js';

/**
 * Reading XGBoost's JSON model files: the parse (XGBoost's writer is not quite JSON) and checked
 * field readers whose errors name the field, for xgboost-json.ts.
 */

export type Json = Record<string, unknown>;

/**
 * JSON.parse for XGBoost's writer, which prints float NaN and ±∞ as bare `NaN`, `Infinity` and
 * `-Infinity` (e.g. split_conditions of categorical nodes). Those tokens, outside strings, become
 * the strings "NaN", "Infinity", "-Infinity", which the number readers below accept.
 */
export function parseXgboostText(source: string): unknown {
  // UBJSON (.ubj) also opens with '{' but follows it with a type marker, not a quoted key.
  if (!/^\s*\{\s*["}]/.test(source)) {
    throw new CairnError(
      'UNSUPPORTED_FORMAT',
      'XGBoost model is not JSON (binary .model/.ubj files are not read; save it with booster.save_model("m.json"))',
    );
  }
  const parts: string[] = [];
  let from = 0;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === 'N' || c === 'I' || c === '-') {
      const token = ['NaN', 'Infinity', '-Infinity'].find((s) => source.startsWith(s, i));
      if (token !== undefined) {
        parts.push(source.slice(from, i), `"${token}"`);
        i += token.length - 1;
        from = i + 1;
      }
    }
  }
  parts.push(source.slice(from));
  try {
    return JSON.parse(parts.join('')) as unknown;
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `XGBoost model is not valid JSON: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

export function invalid(message: string): never {
  throw new CairnError('INVALID_ARGUMENT', `XGBoost model: ${message}`);
}

export function unsupported(what: string): never {
  throw new CairnError('UNSUPPORTED_FORMAT', `XGBoost model: Cairn does not import ${what}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || typeof value !== 'object')
    return JSON.stringify(value)?.slice(0, 40) ?? String(value);
  return 'an object';
}

export function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid(`'${path}' must be an object; got ${describe(value)}`);
  }
  return value as Json;
}

export function list(value: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(value)) invalid(`'${path}' must be an array; got ${describe(value)}`);
  if (length !== undefined && value.length !== length) {
    invalid(`'${path}' has ${value.length} entries; expected ${length}`);
  }
  return value;
}

export function text(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(`'${path}' must be a string; got ${describe(value)}`);
  return value;
}

/** A number from a JSON number or a numeric string ("5E-1", "NaN", "Infinity"), as XGBoost writes them. */
export function parseNumber(value: unknown, path: string): number {
  const x =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (Number.isNaN(x) && value !== 'NaN') invalid(`'${path}' must be a number; got ${describe(value)}`);
  return x;
}

export function count(value: unknown, path: string): number {
  const x = parseNumber(value, path);
  if (!Number.isSafeInteger(x) || x < 0)
    invalid(`'${path}' must be a whole number ≥ 0; got ${describe(value)}`);
  return x;
}

export function numbers(value: unknown, path: string, length?: number): Float64Array {
  const items = list(value, path, length);
  const out = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = parseNumber(items[i], `${path}[${i}]`);
  return out;
}

export function integers(value: unknown, path: string, length?: number): number[] {
  const items = list(value, path, length);
  return items.map((item, i) => {
    if (typeof item !== 'number' || !Number.isSafeInteger(item)) {
      invalid(`'${path}[${i}]' must be an integer; got ${describe(item)}`);
    }
    return item;
  });
}

/** 0/1 flags, written as integers by XGBoost 1.x and possibly as booleans by other writers. */
export function flags(value: unknown, path: string, length: number): Uint8Array {
  const items = list(value, path, length);
  return Uint8Array.from(items, (item, i) => {
    if (item === true || item === 1) return 1;
    if (item === false || item === 0) return 0;
    return invalid(`'${path}[${i}]' must be 0 or 1; got ${describe(item)}`);
  });
}

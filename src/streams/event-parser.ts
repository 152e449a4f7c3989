import type { StreamSpec } from './stream-spec.js';

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** True for the column types an event carries as a JSON number. */
export function isNumericType(type: string): boolean {
  return NUMERIC.test(type);
}

/** An event that passed validation: values ready for SQL parameters, event time in epoch ms. */
export interface ParsedEvent {
  id: string;
  entity: string;
  ms: number;
  /** Schema column → value (numbers as numbers, text as text, the timestamp as ISO text). */
  values: Record<string, string | number | boolean | null>;
}

export type ParseResult = { ok: true; event: ParsedEvent } | { ok: false; reason: string };

type ColumnKind = 'timestamp' | 'number' | 'boolean' | 'text';

// Per stream spec, worked out once: parsing runs per event on the hot path.
const columnKinds = new WeakMap<StreamSpec, [string, ColumnKind][]>();

function kindsOf(spec: StreamSpec): [string, ColumnKind][] {
  let kinds = columnKinds.get(spec);
  if (!kinds) {
    kinds = Object.entries(spec.schema).map(([column, type]) => [
      column,
      column === spec.timestamp
        ? 'timestamp'
        : isNumericType(type)
          ? 'number'
          : type === 'BOOLEAN'
            ? 'boolean'
            : 'text',
    ]);
    columnKinds.set(spec, kinds);
  }
  return kinds;
}

/** Turns a message into an event per the stream's schema, or names what is wrong with it. */
export function parseEvent(spec: StreamSpec, data: Uint8Array): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, reason: 'the event is not a JSON object' };
  const record = body as Record<string, unknown>;
  for (const key of [spec.id, spec.entity, spec.timestamp]) {
    if (record[key] === undefined || record[key] === null || record[key] === '')
      return { ok: false, reason: `required field '${key}' is missing` };
  }
  const raw = record[spec.timestamp];
  const ms =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string'
        ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw.replace(' ', 'T')}Z`)
        : Number.NaN;
  if (!Number.isFinite(ms))
    return {
      ok: false,
      reason: `field '${spec.timestamp}' is ${JSON.stringify(raw)}; expected an ISO timestamp or epoch milliseconds`,
    };
  const values: ParsedEvent['values'] = {};
  for (const [column, kind] of kindsOf(spec)) {
    const value = record[column];
    if (kind === 'timestamp') {
      values[column] = new Date(ms).toISOString();
    } else if (value === undefined || value === null) {
      values[column] = null;
    } else if (kind === 'number') {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n))
        return { ok: false, reason: `field '${column}' is ${JSON.stringify(value)}; expected a number` };
      values[column] = n;
    } else if (kind === 'boolean') {
      if (typeof value !== 'boolean')
        return { ok: false, reason: `field '${column}' is ${JSON.stringify(value)}; expected true or false` };
      values[column] = value;
    } else {
      values[column] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return {
    ok: true,
    event: {
      id: String(values[spec.id] ?? JSON.stringify(record[spec.id])),
      entity: String(values[spec.entity]),
      ms,
      values,
    },
  };
}

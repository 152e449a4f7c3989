import { CairnError } from '../core/errors.js';

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,119}$/;

/** Table names are plain identifiers, so they are safe in paths, URLs and SQL alike. */
export function checkTableName(name: string): string {
  if (!PLAIN_NAME.test(name)) {
    throw new CairnError(
      'INVALID_NAME',
      `table name '${name}' is not allowed; use 1 to 120 letters, digits or underscores, not starting with a digit`,
    );
  }
  return name;
}

/** Quotes any identifier (column names from files may hold spaces or quotes). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const TYPE_NAMES = [
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'FLOAT',
  'DOUBLE',
  'VARCHAR',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMPTZ',
  'TIMESTAMP WITH TIME ZONE',
  'INTERVAL',
  'UUID',
  'BLOB',
  'JSON',
] as const;
const TYPE_ALIASES: Record<string, string> = {
  INT: 'INTEGER',
  INT4: 'INTEGER',
  INT8: 'BIGINT',
  LONG: 'BIGINT',
  REAL: 'FLOAT',
  FLOAT4: 'FLOAT',
  FLOAT8: 'DOUBLE',
  NUMERIC: 'DOUBLE',
  TEXT: 'VARCHAR',
  STRING: 'VARCHAR',
  BOOL: 'BOOLEAN',
  DATETIME: 'TIMESTAMP',
};
const DECIMAL = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$/;

/** Normalises a user-given column type; only known names pass, since types are written into SQL. */
export function checkTypeName(raw: string, column: string): string {
  const upper = raw.trim().toUpperCase().replace(/\s+/g, ' ');
  const decimal = DECIMAL.exec(upper);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  const name = TYPE_ALIASES[upper] ?? upper;
  if ((TYPE_NAMES as readonly string[]).includes(name)) return name;
  throw new CairnError(
    'INVALID_ARGUMENT',
    `type '${raw}' given for column '${column}' is not a type Cairn knows; use one of ${TYPE_NAMES.join(', ')} or DECIMAL(p,s)`,
  );
}

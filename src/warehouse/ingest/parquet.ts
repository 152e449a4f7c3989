import { CairnError, errorMessage } from '../../core/errors.js';
import { wrapSql } from '../database.js';
import { literal } from '../sql.js';
import { asText, toJsonRows } from '../values.js';
import { conform } from './conform.js';
import { rowAsJson, type StageContext } from './stage.js';

/**
 * Parquet carries its own types, so records are rejected only where the user or an existing table
 * asks for a type a value does not fit; the record number is the row's position in the file.
 */
export async function stageParquet(ctx: StageContext, file: string): Promise<void> {
  const { connection } = ctx;
  const source = `read_parquet(${literal(file)}, file_row_number=true)`;
  let described;
  try {
    described = toJsonRows(await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`));
  } catch (error) {
    throw new CairnError('SOURCE_ERROR', `cannot read ${file} as Parquet: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const columns = described
    .map((row) => ({ name: asText(row.column_name), type: asText(row.column_type) }))
    .filter((c) => c.name !== 'file_row_number');
  ctx.checkColumns(columns.map((c) => c.name));
  const retyped = columns.filter((c) => ctx.types[c.name] !== undefined && ctx.types[c.name] !== c.type);
  if (retyped.length === 0) {
    const sql = `CREATE TABLE ${ctx.stage} AS SELECT * EXCLUDE (file_row_number) FROM ${source}`;
    await ctx.withProgress(() => wrapSql(sql, connection.run(sql)));
    return;
  }
  await ctx.withProgress(() =>
    conform(connection, {
      relation: `(SELECT *, file_row_number + 1 AS __record FROM ${source})`,
      columns: columns.map((c) => ({ name: c.name, type: ctx.types[c.name] ?? c.type })),
      rawExpr: rowAsJson(columns.map((c) => c.name)),
      into: ctx.stage,
      quarantine: ctx.quarantine,
    }),
  );
}

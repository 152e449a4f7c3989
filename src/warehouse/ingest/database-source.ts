import { CairnError } from '../../core/errors.js';
import { conform } from './conform.js';
import { rowAsJson, type StageContext } from './stage.js';
import { TextStager } from './text-stager.js';

/** One round trip's worth of rows from a database, every value as the database's own text. */
export interface RowBatch {
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
}

export interface DatabaseReadRequest {
  url: string;
  query?: string;
  sourceTable?: string;
  batchSize: number;
}

export type DatabaseReader = (request: DatabaseReadRequest) => AsyncGenerator<RowBatch>;

const QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** The SELECT to run: the user's query, or the whole named table quoted for the dialect. */
export function sourceQuery(request: DatabaseReadRequest, quote: (name: string) => string): string {
  if (request.query && request.sourceTable) {
    throw new CairnError('INVALID_ARGUMENT', 'give either --query or --source-table, not both');
  }
  if (request.query) return request.query;
  if (!request.sourceTable) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      'a database source needs --query "SELECT …" or --source-table NAME',
    );
  }
  if (!QUALIFIED_NAME.test(request.sourceTable)) {
    throw new CairnError(
      'INVALID_NAME',
      `source table '${request.sourceTable}' is not a plain [schema.]table name`,
    );
  }
  return `SELECT * FROM ${request.sourceTable.split('.').map(quote).join('.')}`;
}

/** Streams a database query into the stage in batches; values are typed by the source's column types. */
export async function stageDatabase(
  ctx: StageContext,
  reader: DatabaseReader,
  request: DatabaseReadRequest,
): Promise<void> {
  if (!Number.isInteger(request.batchSize) || request.batchSize < 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `batch size ${request.batchSize} must be a whole number of rows, 1 or more`,
    );
  }
  const raw = `${ctx.stage}_raw`;
  let stager: TextStager | undefined;
  let columns: RowBatch['columns'] = [];
  let record = 0;
  try {
    for await (const batch of reader(request)) {
      if (!stager) {
        columns = batch.columns;
        if (columns.length === 0) {
          throw new CairnError(
            'SOURCE_ERROR',
            'the query returned no columns; give a SELECT that returns rows',
          );
        }
        ctx.checkColumns(columns.map((c) => c.name));
        stager = await TextStager.create(
          ctx.connection,
          raw,
          columns.map((c) => c.name),
        );
      }
      for (const row of batch.rows) stager.append(++record, row);
      ctx.progress({ records: record });
    }
  } finally {
    stager?.close();
  }
  if (!stager) throw new CairnError('SOURCE_ERROR', 'the database returned no result set for the query');
  await ctx.withProgress(() =>
    conform(ctx.connection, {
      relation: raw,
      columns: columns.map((c) => ({ name: c.name, type: ctx.types[c.name] ?? c.type })),
      rawExpr: rowAsJson(columns.map((c) => c.name)),
      into: ctx.stage,
      quarantine: ctx.quarantine,
    }),
  );
  await ctx.connection.run(`DROP TABLE ${raw}`);
}

import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../core/errors.js';
import { queryNumber, type Database } from '../database.js';
import { checkTableName, checkTypeName, ident } from '../sql.js';
import { asText, toJsonRows } from '../values.js';
import { commitStage, existingColumnTypes, prepareUpsert, quarantineTableName } from './commit.js';
import { stageCsv } from './csv.js';
import { stageDatabase, type DatabaseReader } from './database-source.js';
import { checkFormat, formatFromName } from './detect.js';
import { ingestGate } from './gate.js';
import { stageJson } from './json.js';
import { stageParquet } from './parquet.js';
import { databaseKind, redactUrl } from './source-url.js';
import { STAGE_PREFIX, type StageContext } from './stage.js';
import { INGEST_MODES, type IngestReport, type IngestRequest, type SourceFormat } from './types.js';

/** Database drivers load only when a database is read, keeping every other command's start-up short. */
const READERS: Record<'postgres' | 'mysql', () => Promise<DatabaseReader>> = {
  postgres: async () => (await import('./postgres.js')).readPostgres,
  mysql: async () => (await import('./mysql.js')).readMysql,
};
const PROGRESS_INTERVAL_MS = 200;

/** Drops every table a reader made under the stage's name, including after a failure midway. */
async function dropStageTables(connection: DuckDBConnection, stage: string): Promise<void> {
  const sql = `SELECT table_name, temporary FROM duckdb_tables() WHERE starts_with(table_name, '${stage}')`;
  for (const row of toJsonRows(await connection.runAndReadAll(sql))) {
    await connection.run(
      `DROP TABLE IF EXISTS ${row.temporary ? 'temp' : 'main'}.${ident(asText(row.table_name))}`,
    );
  }
}

function resolveFormat(request: IngestRequest): SourceFormat {
  const kind = databaseKind(request.source);
  if (kind) return kind;
  if (!existsSync(request.source) || !statSync(request.source).isFile()) {
    throw new CairnError('SOURCE_ERROR', `file '${request.source}' does not exist or is not a file`);
  }
  return request.format ? checkFormat(request.format) : formatFromName(request.source);
}

function checkRequest(request: IngestRequest): { mode: IngestReport['mode']; key: string[] } {
  checkTableName(request.table);
  const mode = request.mode ?? 'replace';
  if (!INGEST_MODES.includes(mode)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `mode '${String(mode)}' is not one of ${INGEST_MODES.join(', ')}`,
    );
  }
  const key = request.key ?? [];
  if (mode === 'upsert' && key.length === 0) {
    throw new CairnError('INVALID_ARGUMENT', 'upsert needs the key column(s): pass --key COL[,COL…]');
  }
  return { mode, key };
}

/**
 * Loads a file or a database query into a warehouse table. Records that do not fit are kept in
 * TABLE__quarantine with their record number, raw text and reason, so `read = accepted +
 * quarantined` always holds. Staging happens beside the table and the switch is one transaction:
 * a failed ingest leaves the table as it was.
 */
export async function ingest(db: Database, request: IngestRequest): Promise<IngestReport> {
  const started = performance.now();
  const startedAt = new Date();
  const { mode, key } = checkRequest(request);
  const format = resolveFormat(request);
  const userTypes = Object.fromEntries(
    Object.entries(request.types ?? {}).map(([column, type]) => [column, checkTypeName(type, column)]),
  );
  const id = randomUUID();
  const stage = `${STAGE_PREFIX}${id.replaceAll('-', '')}`;
  const source =
    request.sourceLabel ??
    (format === 'postgres' || format === 'mysql' ? redactUrl(request.source) : path.resolve(request.source));

  return db.use(async (connection) => {
    const existing = mode === 'replace' ? {} : await existingColumnTypes(connection, request.table);
    const quarantine = `${stage}_quarantine`;
    await connection.run(
      `CREATE TEMP TABLE ${quarantine} (record BIGINT, raw VARCHAR, error VARCHAR, reason VARCHAR)`,
    );
    const ctx: StageContext = {
      connection,
      stage,
      quarantine,
      // An existing table's types win, so appended records are checked against what is there.
      types: { ...userTypes, ...existing },
      checkColumns(names) {
        const missing = key.filter((k) => !names.includes(k));
        if (missing.length) {
          throw new CairnError(
            'INVALID_ARGUMENT',
            `upsert key column(s) ${missing.map((m) => `'${m}'`).join(', ')} not found in the source; it has ${names.join(', ')}`,
          );
        }
      },
      async withProgress(run) {
        if (!request.onProgress) return run();
        await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
        const timer = setInterval(() => {
          const percentage = connection.progress.percentage;
          if (percentage >= 0) request.onProgress?.({ fraction: percentage / 100 });
        }, PROGRESS_INTERVAL_MS);
        try {
          return await run();
        } finally {
          clearInterval(timer);
        }
      },
      progress: (progress) => request.onProgress?.(progress),
    };
    try {
      if (format === 'csv') await stageCsv(ctx, request.source, request.csv ?? {});
      else if (format === 'parquet') await stageParquet(ctx, request.source);
      else if (format === 'json' || format === 'ndjson') await stageJson(ctx, request.source, format);
      else
        await stageDatabase(ctx, await READERS[format](), {
          url: request.source,
          query: request.query,
          sourceTable: request.sourceTable,
          batchSize: request.batchSize ?? 10_000,
        });
      await ingestGate(db)?.({ connection, table: request.table, stage, quarantine, mode });
      const accepted = await queryNumber(connection, `SELECT count(*) FROM ${stage}`);
      if (mode === 'upsert') await prepareUpsert(connection, stage, quarantine, key);
      const keyless = await queryNumber(
        connection,
        `SELECT count(*) FROM ${quarantine} WHERE error = 'MISSING_KEY'`,
      );
      const quarantined = await commitStage(connection, {
        id,
        table: request.table,
        stage,
        quarantine,
        mode,
        key,
        source,
        format,
        startedAt,
        accepted: accepted - keyless,
      });
      return {
        id,
        table: request.table,
        source,
        format,
        mode,
        read: accepted - keyless + quarantined,
        accepted: accepted - keyless,
        quarantined,
        quarantineTable: quarantined > 0 ? quarantineTableName(request.table) : null,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      // Cleaning up must not hide the error that stopped the ingest; leftovers go at the next open.
      await dropStageTables(connection, stage).catch(() => undefined);
    }
  });
}

import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import type { Identity } from './identity.js';
import type { ReaderView } from './reader-view.js';
import { queryRefs } from './secure-query.js';

/** What a train or score job reads, as queued (the spec is checked in full when the job runs). */
export interface JobReads {
  kind: 'train' | 'score';
  /** train: the model spec. */
  spec?: Record<string, unknown>;
  /** score: the input table, copied with predictions into the output table. */
  table?: string;
}

export interface JobGuardContext {
  db: Database;
  /** The caller's view of a table; throws FORBIDDEN without a grant. */
  view: (table: string) => Promise<ReaderView>;
  /** A table's column names. */
  columns: (table: string) => Promise<string[]>;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** The columns a spec's features and target take from the table (null: every column, `auto`). */
function specColumns(spec: Record<string, unknown>, all: string[]): string[] {
  const target = typeof spec.target === 'string' ? [spec.target] : [];
  const features = spec.features;
  if (Array.isArray(features)) return [...strings(features), ...target];
  if (features && typeof features === 'object') {
    const { include, exclude } = features as { include?: unknown; exclude?: unknown };
    const kept = include === undefined ? all : strings(include);
    return [...kept.filter((c) => !strings(exclude).includes(c)), ...target];
  }
  return all;
}

/**
 * Refuses jobs that would read what the caller may not see. Jobs run with the server's own access,
 * and what they produce (a model card's per-feature summary, a scored copy of the input table)
 * carries the values they read, so the caller's grants and masks are checked when it queues them:
 * no server files, SQL only over tables it may read in full, and no masked column among the ones used.
 */
export async function guardJob(context: JobGuardContext, identity: Identity, job: JobReads): Promise<void> {
  if (identity.role === 'admin') return;
  const refuse = (why: string): never => {
    throw new CairnError('FORBIDDEN', `role '${identity.role}' may not queue this ${job.kind} job: ${why}`);
  };
  const check = async (table: string, used: (all: string[]) => string[]) => {
    const view = await context.view(table);
    const hidden = used(await context.columns(table)).filter((c) => view.hides(c));
    if (hidden.length)
      refuse(
        `it would read ${hidden.map((c) => `'${c}'`).join(', ')} of '${table}', masked for it; leave them out of the features`,
      );
  };
  if (job.kind === 'score') {
    if (job.table) await check(job.table, (all) => all);
    return;
  }
  const data = (job.spec?.data ?? {}) as { table?: unknown; file?: unknown; query?: unknown };
  if (typeof data.file === 'string')
    refuse('data.file reads a file on the server; ingest it into a table first (`cairn ingest`)');
  if (typeof data.table === 'string') await check(data.table, (all) => specColumns(job.spec ?? {}, all));
  if (typeof data.query === 'string') {
    const sql = data.query;
    const refs = await context.db.use((c) => queryRefs(c, sql));
    if (refs.functions.length) refuse(`data.query calls ${refs.functions.join(', ')}`);
    for (const ref of refs.tables) {
      if (ref.catalog || ref.schema)
        refuse(`data.query names '${ref.schema}.${ref.name}'; use plain table names`);
      if (!refs.ctes.has(ref.name)) await check(ref.name, (all) => all);
    }
  }
}

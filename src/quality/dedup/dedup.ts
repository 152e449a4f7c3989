import { CairnError } from '../../core/errors.js';
import type { Database } from '../../warehouse/database.js';
import { wrapSql } from '../../warehouse/database.js';
import { describeTable } from '../../warehouse/catalog.js';
import { checkTableName, ident } from '../../warehouse/sql.js';
import { asText, toJsonRows, type JsonRow } from '../../warehouse/values.js';
import { DEFAULT_THRESHOLD, findFuzzyDuplicates } from './fuzzy.js';

export const SURVIVORSHIP = ['first', 'newest', 'complete'] as const;
export type Survivorship = (typeof SURVIVORSHIP)[number];

/** Rows listed per cluster in a report (the survivor first). */
export const CLUSTER_ROWS = 20;

export interface DedupRequest {
  table: string;
  /** Duplicates share these columns' values; default every column (exact duplicates). */
  key?: string[];
  /** Duplicates are similar in these columns (names, emails, addresses…). */
  fuzzy?: string[];
  /** Fuzzy: smallest similarity that matches, 0..1. Default 0.95. */
  threshold?: number;
  /** Which record of a cluster survives: the first loaded, the newest by `orderBy`, or the most complete. */
  keep?: Survivorship;
  /** The column that says which record is newest (for keep = newest). */
  orderBy?: string;
  /** Write the deduplicated rows to this table (created or replaced). */
  output?: string;
  /** Clusters listed in the report, largest first. Default 20. */
  limit?: number;
}

export interface DedupCluster {
  cluster: number;
  size: number;
  /** Fuzzy: mean similarity of the matched pairs; exact and key: 1. */
  score: number;
  min_score: number;
  /** Row position (0-based, load order) of the survivor. */
  keep: number;
  /** The survivor, then the others by survivorship order; at most CLUSTER_ROWS of them. */
  rows: (JsonRow & { _row: number })[];
}

export interface DedupReport {
  table: string;
  mode: 'exact' | 'key' | 'fuzzy';
  columns: string[];
  rows: number;
  clusters: number;
  /** Rows that are not their cluster's survivor: what deduplication removes. */
  duplicates: number;
  keep: Survivorship;
  comparisons?: number;
  sample: DedupCluster[];
  output: { table: string; rows: number } | null;
  seconds: number;
}

function checkColumns(all: string[], wanted: string[], what: string, table: string): void {
  for (const c of wanted) {
    if (!all.includes(c)) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${what} column '${c}' is not in table '${table}'; it has ${all.join(', ')}`,
      );
    }
  }
}

/** SQL ordering for the survivor of each cluster: the first row of this order survives. */
function survivorOrder(keep: Survivorship, columns: string[], orderBy?: string): string {
  if (keep === 'newest') return `${ident(orderBy as string)} DESC NULLS LAST, __pos`;
  if (keep === 'complete')
    return `(${columns.map((c) => `(${ident(c)} IS NOT NULL)::INT`).join(' + ')}) DESC, __pos`;
  return '__pos';
}

/**
 * Finds duplicate records — exact, by key, or fuzzy — reports them as clusters with scores, and,
 * when asked, writes a deduplicated copy keeping one survivor per cluster. Row positions are the
 * table's load order. The source table is never changed.
 */
export async function dedupTable(db: Database, request: DedupRequest): Promise<DedupReport> {
  const started = performance.now();
  const schema = await describeTable(db, request.table);
  const names = schema.columns.map((c) => c.name);
  const keep = request.keep ?? 'first';
  if (request.key?.length && request.fuzzy?.length) {
    throw new CairnError('INVALID_ARGUMENT', 'give either --key or --fuzzy, not both');
  }
  if (keep === 'newest' && !request.orderBy) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      'keep newest needs the column that dates each record: pass --order-by COLUMN',
    );
  }
  if (request.orderBy) checkColumns(names, [request.orderBy], 'order-by', request.table);
  if (request.output !== undefined) {
    checkTableName(request.output);
    if (request.output === request.table) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `the output table must differ from '${request.table}'; the source is never overwritten`,
      );
    }
  }
  const threshold = request.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1))
    throw new CairnError('INVALID_ARGUMENT', `threshold ${threshold} must be in (0, 1]`);
  const mode = request.fuzzy?.length ? 'fuzzy' : request.key?.length ? 'key' : 'exact';
  const columns = request.fuzzy?.length ? request.fuzzy : request.key?.length ? request.key : names;
  checkColumns(names, columns, mode === 'fuzzy' ? 'fuzzy' : 'key', request.table);
  const relation = `(SELECT *, rowid AS __pos FROM main.${ident(request.table)})`;
  const order = survivorOrder(keep, names, request.orderBy);
  const limit = request.limit ?? 20;

  return db.use(async (connection) => {
    const run = async (sql: string) => toJsonRows(await wrapSql(sql, connection.runAndReadAll(sql)));
    // Every record gets a cluster id (its cluster's first position) and a rank within it (1 = survivor).
    if (mode === 'fuzzy') {
      const values = await run(
        `SELECT __pos, ${columns.map((c, i) => `CAST(${ident(c)} AS VARCHAR) AS v${i}`).join(', ')} FROM ${relation} ORDER BY __pos`,
      );
      const positions = values.map((r) => Number(r.__pos));
      const found = findFuzzyDuplicates(
        columns.map((_, i) => values.map((r) => (r[`v${i}`] === null ? null : asText(r[`v${i}`])))),
        { threshold },
      );
      const assign = found.clusters.flatMap((c) =>
        c.members.map((m) => `(${positions[m]}, ${positions[c.members[0]]}, ${c.score}, ${c.minScore})`),
      );
      await run(
        `CREATE OR REPLACE TEMP TABLE __dedup_clusters (pos BIGINT, cluster BIGINT, score DOUBLE, min_score DOUBLE)`,
      );
      for (let i = 0; i < assign.length; i += 10_000) {
        await run(`INSERT INTO __dedup_clusters VALUES ${assign.slice(i, i + 10_000).join(', ')}`);
      }
      await run(`CREATE OR REPLACE TEMP TABLE __dedup AS
        SELECT s.*, coalesce(c.cluster, s.__pos) AS __cluster, coalesce(c.score, 1) AS __score, coalesce(c.min_score, 1) AS __min,
               row_number() OVER (PARTITION BY coalesce(c.cluster, s.__pos) ORDER BY ${order}) AS __rank
        FROM ${relation} AS s LEFT JOIN __dedup_clusters AS c ON c.pos = s.__pos`);
      return finish(found.comparisons);
    }
    const key = columns.map(ident).join(', ');
    // Records with a missing key value are never merged: NULL means "unknown", not "equal".
    const anyNull = columns.map((c) => `${ident(c)} IS NULL`).join(' OR ');
    await run(`CREATE OR REPLACE TEMP TABLE __dedup AS
      SELECT *, CASE WHEN ${anyNull} THEN __pos ELSE min(__pos) OVER (PARTITION BY ${key}) END AS __cluster, 1.0 AS __score, 1.0 AS __min,
             CASE WHEN ${anyNull} THEN 1 ELSE row_number() OVER (PARTITION BY ${key} ORDER BY ${order}) END AS __rank
      FROM ${relation}`);
    return finish(undefined);

    async function finish(comparisons: number | undefined): Promise<DedupReport> {
      const [totals] = await run(`SELECT count(*) AS rows, count(*) FILTER (WHERE __rank > 1) AS duplicates,
        count(DISTINCT __cluster) FILTER (WHERE __rank > 1) AS clusters FROM __dedup`);
      const top =
        await run(`SELECT __cluster, count(*) AS n FROM __dedup GROUP BY __cluster HAVING count(*) > 1
        ORDER BY n DESC, __cluster LIMIT ${Math.max(0, Math.floor(limit))}`);
      const sample: DedupCluster[] = [];
      if (top.length) {
        const ids = top.map((t) => Number(t.__cluster));
        const members = await run(
          `SELECT * FROM __dedup WHERE __cluster IN (${ids.join(', ')}) AND __rank <= ${CLUSTER_ROWS} ORDER BY __cluster, __rank`,
        );
        for (const id of ids) {
          const rows = members.filter((m) => Number(m.__cluster) === id);
          sample.push({
            cluster: id,
            size: Number(top.find((t) => Number(t.__cluster) === id)?.n ?? rows.length),
            score: Number(rows[0].__score),
            min_score: Number(rows[0].__min),
            keep: Number(rows[0].__pos),
            rows: rows.map((r) => {
              const row: JsonRow & { _row: number } = { _row: Number(r.__pos) };
              for (const name of names) row[name] = r[name];
              return row;
            }),
          });
        }
      }
      let output: DedupReport['output'] = null;
      if (request.output) {
        await run(`CREATE OR REPLACE TABLE main.${ident(request.output)} AS
          SELECT * EXCLUDE (__pos, __cluster, __score, __min, __rank) FROM __dedup WHERE __rank = 1 ORDER BY __pos`);
        const [written] = await run(`SELECT count(*) AS n FROM main.${ident(request.output)}`);
        output = { table: request.output, rows: Number(written?.n ?? 0) };
      }
      await run('DROP TABLE IF EXISTS __dedup; DROP TABLE IF EXISTS __dedup_clusters');
      return {
        table: request.table,
        mode,
        columns,
        rows: Number(totals?.rows ?? 0),
        clusters: Number(totals?.clusters ?? 0),
        duplicates: Number(totals?.duplicates ?? 0),
        keep,
        ...(comparisons !== undefined ? { comparisons } : {}),
        sample,
        output,
        seconds: (performance.now() - started) / 1000,
      };
    }
  });
}

import { tableExists } from '../../warehouse/catalog.js';
import type { Database } from '../../warehouse/database.js';
import { asText } from '../../warehouse/values.js';
import { DECISIONS_TABLE } from './decision-log.js';

export interface LoggedDecision {
  transaction_id: string;
  user_id: string;
  amount: number;
  currency: string;
  merchant_id: string;
  decision: string;
  score: number;
  method: string;
  reasons: unknown;
  latency_ms: number;
  decided_at: string;
}

export interface RecentDecisions {
  /** Newest first. */
  decisions: LoggedDecision[];
  /** Every logged decision, counted by decision. */
  counts: Record<string, number>;
}

/**
 * The newest `limit` logged decisions and the count of each decision (read-only; the dashboard's
 * live view). Empty before the first decision creates the table.
 */
export async function recentDecisions(db: Database, limit: number): Promise<RecentDecisions> {
  if (!(await tableExists(db, DECISIONS_TABLE))) return { decisions: [], counts: {} };
  const table = `main.${DECISIONS_TABLE}`;
  const rows = await db.rows(
    `SELECT transaction_id, user_id, amount, currency, merchant_id, decision, score, method, reasons,
            latency_ms, decided_at FROM ${table}
     ORDER BY decided_at DESC LIMIT $1`,
    [limit],
  );
  const counts = await db.rows(`SELECT decision, count(*) AS n FROM ${table} GROUP BY decision`);
  return {
    decisions: rows.map((r) => ({
      transaction_id: asText(r.transaction_id),
      user_id: asText(r.user_id),
      amount: Number(r.amount),
      currency: asText(r.currency),
      merchant_id: asText(r.merchant_id),
      decision: asText(r.decision),
      score: Number(r.score),
      method: asText(r.method),
      reasons: JSON.parse(asText(r.reasons)) as unknown,
      latency_ms: Number(r.latency_ms),
      decided_at: new Date(asText(r.decided_at)).toISOString(),
    })),
    counts: Object.fromEntries(counts.map((r) => [asText(r.decision), Number(r.n)])),
  };
}

import type { Database } from '../../warehouse/database.js';
import { asText } from '../../warehouse/values.js';
import { DECISIONS_TABLE, REVIEWS_TABLE } from './decision-log.js';
import { rateKeys } from './features.js';
import type { LabelRates } from './label-rates.js';
import type { RecentIds } from './recent-ids.js';
import { transactionTime, type Transaction } from './transaction.js';
import type { UserWindows } from './user-windows.js';

export interface RestoredState {
  /** Transactions replayed into the user windows. */
  transactions: number;
  /** Analysts' labels replayed into the merchant and device fraud rates. */
  labels: number;
}

/**
 * Rebuilds what a server keeps in memory from what it wrote to the warehouse: every decided
 * transaction goes through the user windows again in time order (ties in the order they were
 * written), analysts' labels go back into the fraud rates, and the newest transaction ids are
 * remembered. A restarted server then computes the same features for the same user.
 */
export async function restoreFraudState(
  db: Database,
  state: { windows: UserWindows; rates: LabelRates; ids: RecentIds },
): Promise<RestoredState> {
  const [exists] = await db.rows(
    `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1`,
    [DECISIONS_TABLE],
  );
  let transactions = 0;
  if (Number(exists.n) > 0) {
    const rows = await db.rows(
      `SELECT transaction_id, user_id, amount, currency, merchant_id, merchant_category, device_id,
              payment_method, epoch_ms(ts) AS ms, lat, lon
       FROM main.${DECISIONS_TABLE} ORDER BY ts, rowid`,
    );
    const out = new Float64Array(14);
    const skipIds = Math.max(0, rows.length - state.ids.capacity);
    for (const row of rows) {
      const at = Number(row.ms);
      const tx: Transaction = {
        transaction_id: asText(row.transaction_id),
        user_id: asText(row.user_id),
        amount: Number(row.amount),
        currency: asText(row.currency),
        merchant_id: asText(row.merchant_id),
        merchant_category: asText(row.merchant_category),
        device_id: asText(row.device_id),
        payment_method: asText(row.payment_method),
        timestamp: new Date(at).toISOString(),
        location: { lat: Number(row.lat), lon: Number(row.lon) },
      };
      state.windows.observe(tx, at, out);
      if (transactions++ >= skipIds) state.ids.add(tx.transaction_id);
    }
  }
  const labels = await db.rows(
    `SELECT transaction, label FROM ${REVIEWS_TABLE} WHERE status = 'labelled' ORDER BY labelled_at`,
  );
  for (const row of labels) {
    const tx = JSON.parse(asText(row.transaction)) as Transaction;
    state.rates.add(rateKeys(tx), asText(row.label) === 'fraud', transactionTime(tx));
  }
  return { transactions, labels: labels.length };
}

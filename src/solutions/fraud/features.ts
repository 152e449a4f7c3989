import type { LabelRates } from './label-rates.js';
import { MERCHANT_CATEGORIES } from './simulator.js';
import type { Transaction } from './transaction.js';
import type { UserWindows } from './user-windows.js';

/** The per-transaction features the rules and models see, in model column order. */
export const FEATURE_NAMES = [
  'amount',
  'log_amount',
  'hour',
  'weekday',
  'weekend',
  'count_1h',
  'sum_1h',
  'count_24h',
  'sum_24h',
  'count_7d',
  'sum_7d',
  'amount_zscore_30d',
  'seconds_since_previous',
  'distance_from_usual_km',
  'speed_from_previous_kmh',
  'new_device',
  'new_merchant',
  'new_payment_method',
  'merchant_fraud_rate_30d',
  'device_fraud_rate_30d',
  'history_30d',
  'merchant_category',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Category codes per feature for a FeatureMatrix (merchant_category is the one categorical). */
export const FEATURE_CATEGORY_COUNTS = Int32Array.from(FEATURE_NAMES, (name) =>
  name === 'merchant_category' ? MERCHANT_CATEGORIES.length : 0,
);

const CATEGORY_CODE = new Map<string, number>(MERCHANT_CATEGORIES.map((c, i) => [c, i]));

/** Everything the feature builder reads: per-user stream windows and label-driven rates. */
export interface FeatureSources {
  windows: UserWindows;
  rates: LabelRates;
}

/** Keys under which labels are counted for a transaction's merchant and device. */
export function rateKeys(tx: Transaction): string[] {
  return [`m:${tx.merchant_id}`, `d:${tx.device_id}`];
}

/** Where USER_WINDOW_FEATURES land in FEATURE_NAMES. */
const WINDOW_SLOTS = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20];
/** Scratch for one call's window values (copied out before the call returns): no allocation per transaction. */
const windowValues = new Float64Array(WINDOW_SLOTS.length);

/**
 * The feature vector of one transaction at time `at` (epoch ms), in FEATURE_NAMES order. The
 * transaction also enters its user's windows (unless it is late): the next one sees it in its past.
 */
export function transactionFeatures(
  tx: Transaction,
  at: number,
  sources: FeatureSources,
  out = new Float64Array(FEATURE_NAMES.length),
): Float64Array {
  const w = windowValues;
  sources.windows.observe(tx, at, w);
  for (let k = 0; k < WINDOW_SLOTS.length; k++) out[WINDOW_SLOTS[k]] = w[k];
  const date = new Date(at);
  const weekday = date.getUTCDay();
  out[0] = tx.amount;
  out[1] = Math.log1p(tx.amount);
  out[2] = date.getUTCHours();
  out[3] = weekday;
  out[4] = weekday === 0 || weekday === 6 ? 1 : 0;
  out[18] = sources.rates.rate(`m:${tx.merchant_id}`, at);
  out[19] = sources.rates.rate(`d:${tx.device_id}`, at);
  out[21] = CATEGORY_CODE.get(tx.merchant_category) ?? -1;
  return out;
}

/**
 * Feature values by name plus the transaction's own fields, as the rule engine reads them; written
 * into `input` when given (a scorer reuses one record rather than building one per transaction).
 */
export function ruleInput(
  tx: Transaction,
  x: Float64Array,
  input: Record<string, number | string> = {},
): Record<string, number | string> {
  input.user_id = tx.user_id;
  input.merchant_id = tx.merchant_id;
  input.merchant_category = tx.merchant_category;
  input.device_id = tx.device_id;
  input.payment_method = tx.payment_method;
  input.currency = tx.currency;
  for (let j = 0; j < FEATURE_NAMES.length - 1; j++) input[FEATURE_NAMES[j]] = x[j];
  return input;
}

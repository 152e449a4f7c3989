import { featureMatrix, type FeatureMatrix } from '../../ml/matrix.js';
import {
  FEATURE_CATEGORY_COUNTS,
  FEATURE_NAMES,
  rateKeys,
  ruleInput,
  transactionFeatures,
} from './features.js';
import { LabelRates } from './label-rates.js';
import type { CompiledRules } from './rules.js';
import { transactionTime, type LabelledTransaction } from './transaction.js';
import { UserWindows } from './user-windows.js';

/** The features, labels and rule results of a replayed stream, one row per transaction in time order. */
export interface ReplayedSet {
  X: FeatureMatrix;
  y: Float64Array;
  /** Strongest fired rule's confidence per row (0 when none fired). */
  ruleConfidence: Float64Array;
  /** Epoch ms per row. */
  times: Float64Array;
  /** The user windows and rates after the last transaction, to serve from. */
  windows: UserWindows;
  rates: LabelRates;
}

export interface ReplayOptions {
  /** How long after a transaction its label (chargeback, analyst verdict) is known; default 1 day. */
  labelDelayMs?: number;
}

/**
 * Replays labelled transactions in time order through the same feature code the scorer uses: each
 * row sees only the history before it, and a label reaches the merchant/device fraud rates only
 * `labelDelayMs` after its transaction, as chargebacks do.
 */
export function replayTransactions(
  transactions: readonly LabelledTransaction[],
  rules: CompiledRules,
  options: ReplayOptions = {},
): ReplayedSet {
  const delay = options.labelDelayMs ?? 86_400_000;
  const n = transactions.length;
  const cols = FEATURE_NAMES.map(() => new Float64Array(n));
  const y = new Float64Array(n);
  const ruleConfidence = new Float64Array(n);
  const times = new Float64Array(n);
  const windows = new UserWindows();
  const rates = new LabelRates();
  const sources = { windows, rates };
  const x = new Float64Array(FEATURE_NAMES.length);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    const tx = transactions[i];
    const at = transactionTime(tx);
    while (labelled < i && times[labelled] + delay <= at) {
      const past = transactions[labelled];
      rates.add(rateKeys(past), past.is_fraud, times[labelled]);
      labelled++;
    }
    transactionFeatures(tx, at, sources, x);
    for (let j = 0; j < x.length; j++) cols[j][i] = x[j];
    for (const fired of rules.evaluate(ruleInput(tx, x))) {
      ruleConfidence[i] = Math.max(ruleConfidence[i], fired.confidence);
    }
    y[i] = tx.is_fraud ? 1 : 0;
    times[i] = at;
  }
  for (; labelled < n; labelled++) {
    rates.add(rateKeys(transactions[labelled]), transactions[labelled].is_fraud, times[labelled]);
  }
  return {
    X: featureMatrix(cols, FEATURE_NAMES, FEATURE_CATEGORY_COUNTS),
    y,
    ruleConfidence,
    times,
    windows,
    rates,
  };
}

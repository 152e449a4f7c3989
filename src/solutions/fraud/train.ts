import { takeRows } from '../../ml/matrix.js';
import { timeOrderedSplit } from '../../ml/selection/time-split.js';
import type { Database } from '../../warehouse/database.js';
import { fitFraudEnsemble } from './ensemble.js';
import { RULE_FIELDS } from './fields.js';
import { fraudMetrics, type FraudMetrics } from './metrics.js';
import { saveFraudModel, type FraudModelVersion } from './model-store.js';
import { replayTransactions } from './replay.js';
import { currentRuleVersion } from './rule-store.js';
import { compileRules } from './rules.js';
import { simulateTransactions, type SimulatorOptions } from './simulator.js';
import type { LabelledTransaction } from './transaction.js';

export interface TrainFraudOptions {
  /** Labelled transactions to learn from; default: the simulator's stream. */
  transactions?: readonly LabelledTransaction[];
  simulator?: Partial<SimulatorOptions>;
  seed?: number;
}

export interface TrainFraudReport {
  model: FraudModelVersion;
  ruleVersion: number;
  transactions: number;
  frauds: number;
  holdout: FraudMetrics;
  seconds: number;
}

/**
 * Replays labelled transactions through the current rules and features, fits the ensemble on the
 * earliest 75 %, measures it on the latest 25 % and registers it (with the rule version it saw).
 */
export async function trainFraud(
  db: Database,
  artifactsDir: string,
  options: TrainFraudOptions = {},
): Promise<TrainFraudReport> {
  const started = Date.now();
  const seed = options.seed ?? 42;
  const rules = await currentRuleVersion(db);
  const transactions = options.transactions ?? simulateTransactions({ seed, ...options.simulator });
  const set = replayTransactions(transactions, compileRules(rules.rules, RULE_FIELDS));
  const split = timeOrderedSplit(set.times, { testFraction: 0.25 });
  const pick = (v: Float64Array, index: ArrayLike<number>) =>
    Float64Array.from({ length: index.length }, (_, i) => v[index[i]]);
  const ytest = pick(set.y, split.test);
  const ensemble = fitFraudEnsemble(
    takeRows(set.X, split.train),
    pick(set.y, split.train),
    pick(set.ruleConfidence, split.train),
    { seed },
  );
  const scores = ensemble.scoreBatch(takeRows(set.X, split.test), pick(set.ruleConfidence, split.test));
  const holdout = fraudMetrics(ytest, scores, 0.5, Math.min(1000, ytest.length));
  const model = await saveFraudModel(
    db,
    artifactsDir,
    ensemble,
    { ...holdout, data: 'simulated' },
    rules.version,
  );
  return {
    model,
    ruleVersion: rules.version,
    transactions: transactions.length,
    frauds: set.y.reduce((s, v) => s + v, 0),
    holdout,
    seconds: (Date.now() - started) / 1000,
  };
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CairnError, errorMessage } from '../../core/errors.js';
import { takeRows, type FeatureMatrix } from '../../ml/matrix.js';
import { timeOrderedSplit } from '../../ml/selection/time-split.js';
import { fitGbdt } from '../../ml/tree/gbdt.js';
import { readCreditCardCsv } from './creditcard.js';
import { DEFAULT_ENSEMBLE_PARAMS, fitFraudEnsemble } from './ensemble.js';
import { RULE_FIELDS } from './fields.js';
import { fraudMetrics, type FraudMetrics } from './metrics.js';
import { replayTransactions } from './replay.js';
import { compileRules, parseRuleSet, type RuleSet } from './rules.js';
import { simulateTransactions, type SimulatorOptions } from './simulator.js';
import { deriveTailRules } from './tail-rules.js';
import { DEFAULT_RULES_FILE } from './rule-store.js';

/** The XGBoost peer script (Debian python3-xgboost); see bench/fraud/README.md. */
export const XGBOOST_SCRIPT = path.resolve(import.meta.dirname, '../../../bench/fraud/xgboost_scores.py');

export interface EvaluateOptions {
  /** The real credit-card CSV; default data/creditcard_ulb_undersample.csv. */
  creditCardCsv?: string;
  simulator?: Partial<SimulatorOptions>;
  /** Python with xgboost for the peer rows; none leaves XGBoost out. */
  python?: string;
  /** Share of the latest rows held out; default 0.25. */
  testFraction?: number;
  seed?: number;
}

export interface EvaluationRow {
  data: 'real' | 'simulated';
  dataset: string;
  scorer: string;
  threshold: string;
  train: number;
  test: number;
  testFrauds: number;
  metrics: FraudMetrics;
}

export interface FraudEvaluation {
  rows: EvaluationRow[];
  /** The rules learned for the real set (its features have no business meaning). */
  realRules: RuleSet;
  notes: string[];
}

/**
 * Rules alone, GBDT alone, the ensemble and (with a Python) XGBoost on the same features and the same
 * time-ordered split: on the real credit-card set, then on simulated transactions.
 */
export function evaluateFraud(options: EvaluateOptions = {}): FraudEvaluation {
  const testFraction = options.testFraction ?? 0.25;
  const seed = options.seed ?? 42;
  const notes: string[] = [];
  const rows: EvaluationRow[] = [];

  const card = readCreditCardCsv(options.creditCardCsv);
  const realSplit = timeOrderedSplit(card.time, { testFraction });
  const realTrain = takeRows(card.X, realSplit.train);
  const realTest = takeRows(card.X, realSplit.test);
  const realRules = deriveTailRules(realTrain, pick(card.y, realSplit.train));
  const compiled = compileRules(realRules, card.X.names);
  const ruleScores = (X: FeatureMatrix) => {
    const out = new Float64Array(X.rows);
    const input: Record<string, number> = {};
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < X.cols; j++) input[X.names[j]] = X.data[j * X.rows + i];
      for (const fired of compiled.evaluate(input)) out[i] = Math.max(out[i], fired.confidence);
    }
    return out;
  };
  rows.push(
    ...compare(
      'real',
      'ULB credit card (undersampled)',
      realTrain,
      pick(card.y, realSplit.train),
      realTest,
      pick(card.y, realSplit.test),
      ruleScores(realTrain),
      ruleScores(realTest),
      seed,
      options.python,
      notes,
    ),
  );

  const simulated = simulateTransactions({ seed, ...options.simulator });
  const defaultRules = compileRules(parseRuleSet(readFileSync(DEFAULT_RULES_FILE, 'utf8')), RULE_FIELDS);
  const replayed = replayTransactions(simulated, defaultRules);
  const simSplit = timeOrderedSplit(replayed.times, { testFraction });
  rows.push(
    ...compare(
      'simulated',
      `simulator (${simulated.length} transactions)`,
      takeRows(replayed.X, simSplit.train),
      pick(replayed.y, simSplit.train),
      takeRows(replayed.X, simSplit.test),
      pick(replayed.y, simSplit.test),
      pick(replayed.ruleConfidence, simSplit.train),
      pick(replayed.ruleConfidence, simSplit.test),
      seed,
      options.python,
      notes,
    ),
  );
  return { rows, realRules, notes };
}

function compare(
  data: 'real' | 'simulated',
  dataset: string,
  Xtrain: FeatureMatrix,
  ytrain: Float64Array,
  Xtest: FeatureMatrix,
  ytest: Float64Array,
  rulesTrain: Float64Array,
  rulesTest: Float64Array,
  seed: number,
  python: string | undefined,
  notes: string[],
): EvaluationRow[] {
  const k = Math.min(1000, Xtest.rows);
  const base = {
    data,
    dataset,
    train: Xtrain.rows,
    test: Xtest.rows,
    testFrauds: ytest.reduce((s, v) => s + v, 0),
  };
  const rows: EvaluationRow[] = [];
  const add = (scorer: string, threshold: string, scores: Float64Array, cut: number) =>
    rows.push({ ...base, scorer, threshold, metrics: fraudMetrics(ytest, scores, cut, k) });
  add('rules alone', 'any rule fired', rulesTest, 1e-9);
  const gbdt = fitGbdt(Xtrain, ytrain, { ...DEFAULT_ENSEMBLE_PARAMS.gbdt, seed });
  add('GBDT alone', 'p ≥ 0.5', gbdt.predict(Xtest), 0.5);
  const ensemble = fitFraudEnsemble(Xtrain, ytrain, rulesTrain, { seed });
  const probabilities = ensemble.scoreBatch(Xtest, rulesTest);
  add('ensemble (rules + GBDT + isolation forest)', 'score ≥ 50', probabilities, 0.5);
  add('ensemble (rules + GBDT + isolation forest)', 'BLOCK band, score ≥ 86', probabilities, 0.855);
  if (python !== undefined) {
    try {
      add('XGBoost 1.7 (peer)', 'p ≥ 0.5', xgboostScores(python, Xtrain, ytrain, Xtest), 0.5);
    } catch (error) {
      notes.push(`XGBoost on ${dataset} did not run: ${errorMessage(error)}`);
    }
  }
  return rows;
}

/** Runs the XGBoost peer script on the same matrices (written as CSV, NaN as empty cells). */
export function xgboostScores(
  python: string,
  Xtrain: FeatureMatrix,
  ytrain: Float64Array,
  Xtest: FeatureMatrix,
): Float64Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-fraud-xgb-'));
  try {
    writeFileSync(path.join(dir, 'train.csv'), matrixCsv(Xtrain, ytrain));
    writeFileSync(path.join(dir, 'test.csv'), matrixCsv(Xtest, new Float64Array(Xtest.rows)));
    const out = path.join(dir, 'scores.txt');
    execFileSync(
      python,
      [
        XGBOOST_SCRIPT,
        '--train',
        path.join(dir, 'train.csv'),
        '--test',
        path.join(dir, 'test.csv'),
        '--target',
        'is_fraud',
        '--out',
        out,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      },
    );
    const scores = readFileSync(out, 'utf8').trim().split('\n').map(Number);
    if (scores.length !== Xtest.rows) {
      throw new CairnError('INTERNAL', `XGBoost returned ${scores.length} scores for ${Xtest.rows} rows`);
    }
    return Float64Array.from(scores);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function matrixCsv(X: FeatureMatrix, y: Float64Array): string {
  const lines = [[...X.names, 'is_fraud'].join(',')];
  for (let i = 0; i < X.rows; i++) {
    const cells: string[] = [];
    for (let j = 0; j < X.cols; j++) {
      const v = X.data[j * X.rows + i];
      cells.push(Number.isNaN(v) ? '' : String(v));
    }
    cells.push(String(y[i]));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

function pick(values: Float64Array, index: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: index.length }, (_, i) => values[index[i]]);
}

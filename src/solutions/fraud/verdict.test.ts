import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fitFraudEnsemble, type FraudEnsemble } from './ensemble.js';
import { RULE_FIELDS } from './fields.js';
import { LabelRates } from './label-rates.js';
import { replayTransactions } from './replay.js';
import { DEFAULT_RULES_FILE } from './rule-store.js';
import { compileRules, parseRuleSet } from './rules.js';
import { FraudScorer, type FraudResult } from './scorer.js';
import { simulateTransactions } from './simulator.js';
import { withoutLabel } from './transaction.js';
import { UserWindows } from './user-windows.js';
import { VerdictThread } from './verdict-thread.js';
import { batchVerdicts, VerdictRowsBuilder, type Verdict, type VerdictRows } from './verdict.js';

const live = simulateTransactions({ users: 60, days: 3, seed: 4, episodeRate: 0.05 }).map(withoutLabel);
// The shipped rules with one live user on the block list, so that block rules decide some transactions.
const rules = compileRules(
  parseRuleSet(
    readFileSync(DEFAULT_RULES_FILE, 'utf8').replace(
      'blocked_users: []',
      `blocked_users: [${live[0].user_id}]`,
    ),
  ),
  RULE_FIELDS,
);
const history = simulateTransactions({ users: 60, days: 6, seed: 3, episodeRate: 0.05 });
const set = replayTransactions(history, rules);
const ensemble = fitFraudEnsemble(set.X, set.y, set.ruleConfidence, {
  gbdt: { nEstimators: 40, earlyStoppingRounds: 0 },
  isolationForest: { nEstimators: 30 },
  folds: 2,
});

const scorer = () =>
  new FraudScorer({ windows: new UserWindows(), rates: new LabelRates() }, rules, ensemble);
const decision = ({ latency_ms: _, ...rest }: FraudResult) => rest;

/** Decides `live` as the stream does: assessments in order, the ensemble per batch of `size`. */
async function inBatches(
  size: number,
  verdicts: (e: FraudEnsemble, rows: VerdictRows) => Promise<Verdict[]>,
) {
  const s = scorer();
  const out: ReturnType<typeof decision>[] = [];
  for (let start = 0; start < live.length; start += size) {
    const batch = live.slice(start, start + size);
    const rows = new VerdictRowsBuilder(ensemble.features.length, batch.length);
    const assessed = batch.map((tx) => {
      const a = s.assess(tx);
      if (!a.block) rows.add(a.x, a.strongest, a.review);
      return a;
    });
    const v = await verdicts(ensemble, rows.build());
    let k = 0;
    for (const a of assessed)
      out.push(decision({ ...s.conclude(a, a.block ? null : v[k++]), latency_ms: 0 }));
  }
  return out;
}

describe('stream decisions in batches', () => {
  const thread = new VerdictThread();
  after(() => thread.close());
  const oneByOne = (() => {
    const s = scorer();
    return live.map((tx) => decision(s.score(tx)));
  })();

  test('the ensemble scores a batch of rows with the same bits as row by row', () => {
    const rows = new VerdictRowsBuilder(ensemble.features.length, 200);
    const x = new Float64Array(ensemble.features.length);
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < x.length; j++) x[j] = set.X.data[j * set.X.rows + i];
      rows.add(x, set.ruleConfidence[i], false);
    }
    const built = rows.build();
    const batch = ensemble.scoreRows(built.x, built.rows, built.strongest);
    for (let i = 0; i < 200; i++) {
      const row = built.x.subarray(i * x.length, (i + 1) * x.length);
      assert.equal(batch[i], ensemble.scoreRow(row, built.strongest[i]).probability);
    }
  });

  test('assess + batch verdicts + conclude decide exactly as score does, here and on the scoring thread', async () => {
    assert.ok(oneByOne.some((d) => d.decision !== 'APPROVE' && d.method === 'ensemble'));
    assert.ok(oneByOne.some((d) => d.method === 'rules'));
    assert.deepEqual(
      await inBatches(37, (e, rows) => Promise.resolve(batchVerdicts(e, rows, scorer().policy))),
      oneByOne,
    );
    assert.deepEqual(await inBatches(250, (e, rows) => thread.verdicts(e, rows, scorer().policy)), oneByOne);
  });
});

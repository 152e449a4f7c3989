import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FraudEvaluation } from './evaluate.js';

const START = '<!-- fraud-evaluation:start -->';
const END = '<!-- fraud-evaluation:end -->';

/** The evaluation as a markdown section, saying which figures are real and which simulated. */
export function evaluationMarkdown(evaluation: FraudEvaluation, command: string): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    START,
    '## Fraud detection: rules, GBDT, ensemble and XGBoost',
    '',
    `Produced by \`${command}\`. Time-ordered split: train on the earliest 75 % of rows, test on the latest 25 %.`,
    'Same features and the same split for every scorer; XGBoost 1.7 (Debian python3-xgboost, 300 rounds, depth 6,',
    'learning rate 0.1, hist, 1 thread) via `bench/fraud/xgboost_scores.py`. Precision/recall/F1/FPR at the',
    'threshold shown; PR-AUC is average precision; precision@k uses k = 1,000 or the test size if smaller, and',
    'precision@n the number of frauds in the test set.',
    '',
    '| data | dataset | scorer | threshold | train/test (frauds) | precision | recall | F1 | PR-AUC | precision@k (k) | precision@n | FPR |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of evaluation.rows) {
    const m = r.metrics;
    lines.push(
      `| **${r.data}** | ${r.dataset} | ${r.scorer} | ${r.threshold} | ${r.train}/${r.test} (${r.testFrauds}) | ${f(m.precision)} | ${f(m.recall)} | ${f(m.f1)} | ${f(m.prAuc)} | ${f(m.precisionAtK)} (${m.k}) | ${f(m.precisionAtFrauds)} | ${f(m.fpr)} |`,
    );
  }
  lines.push(
    '',
    '**Which figures are real.** Rows marked *real* come from the real ULB/Worldline credit-card transactions',
    '(`data/creditcard_ulb_undersample.csv`: all 492 frauds and 1,230 normal rows, so 28.6 % fraud — far above a',
    "live stream's rate; precision there is not what production would see, and precision@k with k = the whole",
    'test set is just the fraud share). Its features are anonymised PCA components, so it has no users, devices',
    'or places: the rules for it are learned from the training rows (`tail-rules.ts`: a feature outside the range',
    'of 99 % of legitimate training rows; the 4 with the best training F1, confidence = training precision):',
    '',
    ...evaluation.realRules.rules.map(
      (rule) => `- \`${rule.id}\` (confidence ${rule.confidence}): ${rule.reason}`,
    ),
    '',
    'Rows marked *simulated* come from the seeded transaction simulator (`src/solutions/fraud/README.md` states its',
    'amounts, rates and fraud patterns) replayed through the per-transaction features and the default rules',
    '(`src/solutions/fraud/rules/default.yaml`). They show the streaming features and rules at work; they say',
    "nothing about real-world accuracy, since the simulator's fraud patterns are ours.",
  );
  for (const note of evaluation.notes) lines.push('', `Note: ${note}`);
  lines.push(END);
  return lines.join('\n');
}

/** Replaces the fraud section of a markdown file (or appends it). */
export function writeEvaluationSection(file: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + END.length)}`
      : `${text.replace(/\s*$/, '')}\n\n${section}\n`;
  writeFileSync(file, next);
}

import type { FeatureMatrix } from '../../ml/matrix.js';
import type { RuleSet } from './rules.js';

/**
 * Rules learned from training rows, for data whose features carry no business meaning (the real
 * credit-card set's V1–V28 are PCA components): per feature, a rule fires when the value lies outside
 * the range holding 99 % of the legitimate training rows; the `keep` rules with the best F1 on the
 * training rows are kept, each with its training precision as confidence.
 */
export function deriveTailRules(X: FeatureMatrix, y: Float64Array, keep = 4): RuleSet {
  const n = X.rows;
  const frauds = y.reduce((s, v) => s + v, 0);
  const candidates = X.names.map((name, j) => {
    const column = X.data.subarray(j * n, (j + 1) * n);
    const legit = Float64Array.from(column.filter((_, i) => y[i] === 0)).sort();
    const lo = legit[Math.floor(0.005 * (legit.length - 1))];
    const hi = legit[Math.ceil(0.995 * (legit.length - 1))];
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < n; i++) {
      if (column[i] < lo || column[i] > hi) {
        if (y[i] === 1) tp++;
        else fp++;
      }
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = frauds === 0 ? 0 : tp / frauds;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { name, lo, hi, precision, f1 };
  });
  candidates.sort((a, b) => b.f1 - a.f1);
  return {
    lists: {},
    rules: candidates.slice(0, keep).map((c) => ({
      id: `tail_${c.name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`,
      reason: `${c.name} outside [${round(c.lo)}, ${round(c.hi)}], the range of 99 % of legitimate training transactions`,
      confidence: Math.round(c.precision * 100) / 100,
      action: 'score' as const,
      enabled: true,
      when: {
        any: [
          { feature: c.name, op: '<' as const, value: c.lo },
          { feature: c.name, op: '>' as const, value: c.hi },
        ],
      },
    })),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

import { decide, toScore, type Decision, type DecisionBands } from './decision.js';
import type { FraudEnsemble } from './ensemble.js';
import type { Reason } from './scorer.js';

/** How the ensemble's part of a decision is made: the score bands and which decisions are explained. */
export interface VerdictPolicy {
  bands: DecisionBands;
  /** Top TreeSHAP features per explained decision. */
  topFeatures: number;
  /** Explain every decision, or only those other than APPROVE (TreeSHAP stays off the common path). */
  explain: 'always' | 'flagged';
}

export interface Verdict {
  score: number;
  decision: Decision;
  /** TreeSHAP reasons, for explained decisions only. */
  reasons: Reason[];
}

/**
 * The ensemble's part of a decision for a row of features `x` whose calibrated fraud probability is
 * known: the score (raised into REVIEW when a `review` rule fired), its band, and the features that
 * moved it. One function for the HTTP path (row by row) and the stream's scoring thread (in batches).
 */
export function ensembleVerdict(
  ensemble: FraudEnsemble,
  x: Float64Array,
  probability: number,
  review: boolean,
  policy: VerdictPolicy,
): Verdict {
  let score = toScore(probability);
  if (review) score = Math.max(score, policy.bands.approve + 1);
  const decision = decide(score, policy.bands);
  const reasons: Reason[] = [];
  if (decision !== 'APPROVE' || policy.explain === 'always') {
    for (const c of ensemble.explain(x, policy.topFeatures)) {
      reasons.push({
        type: 'feature',
        code: c.name,
        description: `${c.name} = ${formatValue(c.value)} ${c.contribution > 0 ? 'raised' : 'lowered'} the fraud score`,
        value: Number.isFinite(c.value) ? c.value : null,
        contribution: Math.round(c.contribution * 10_000) / 10_000,
      });
    }
  }
  return { score, decision, reasons };
}

/** Feature rows bound for the ensemble, one after another, with what the rules said about each. */
export interface VerdictRows {
  rows: number;
  /** rows × features, row by row. */
  x: Float64Array;
  /** The strongest fired rule's confidence per row. */
  strongest: Float64Array;
  /** 1 where a `review` rule fired. */
  review: Uint8Array;
}

/** Rows collected one at a time, into buffers sized for `capacity` rows. */
export class VerdictRowsBuilder {
  private readonly x: Float64Array;
  private readonly strongest: Float64Array;
  private readonly review: Uint8Array;
  private rows = 0;

  constructor(
    private readonly cols: number,
    capacity: number,
  ) {
    this.x = new Float64Array(capacity * cols);
    this.strongest = new Float64Array(capacity);
    this.review = new Uint8Array(capacity);
  }

  add(x: Float64Array, strongest: number, review: boolean): void {
    this.x.set(x, this.rows * this.cols);
    this.strongest[this.rows] = strongest;
    this.review[this.rows] = review ? 1 : 0;
    this.rows++;
  }

  build(): VerdictRows {
    const n = this.rows;
    return {
      rows: n,
      x: this.x.subarray(0, n * this.cols),
      strongest: this.strongest.subarray(0, n),
      review: this.review.subarray(0, n),
    };
  }
}

/** Row i of `rows`. */
export function rowOf(rows: VerdictRows, i: number): Float64Array {
  const cols = rows.x.length / rows.rows;
  return rows.x.subarray(i * cols, (i + 1) * cols);
}

/** `ensembleVerdict` for each row, the probabilities computed for all rows at once. */
export function batchVerdicts(ensemble: FraudEnsemble, rows: VerdictRows, policy: VerdictPolicy): Verdict[] {
  const probabilities = ensemble.scoreRows(rows.x, rows.rows, rows.strongest);
  const verdicts: Verdict[] = [];
  for (let i = 0; i < rows.rows; i++)
    verdicts.push(ensembleVerdict(ensemble, rowOf(rows, i), probabilities[i], rows.review[i] === 1, policy));
  return verdicts;
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return 'missing';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

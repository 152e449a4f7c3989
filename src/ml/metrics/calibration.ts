import { checkBinaryLabels, checkLength, checkProbabilities, fail } from './inputs.js';

/**
 * The reliability curve: predicted probabilities cut into bins, and per bin the mean prediction
 * against the observed rate of positives. Same bins and assignment as scikit-learn 1.2's
 * `calibration_curve`, so its `prob_pred`/`prob_true` are our `meanPredicted`/`observedRate`.
 */
export interface CalibrationOptions {
  /** Number of bins; default 10. */
  bins?: number;
  /** 'uniform': equal-width bins on [0, 1]; 'quantile': equal-count bins on the predictions. */
  strategy?: 'uniform' | 'quantile';
}

/** Per non-empty bin (empty bins are left out, as scikit-learn does); `edges` lists all bins. */
export interface CalibrationCurve {
  /** bins + 1 edges, ascending; quantile edges may repeat when predictions tie. */
  readonly edges: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly count: Uint32Array;
  readonly meanPredicted: Float64Array;
  readonly observedRate: Float64Array;
}

/** y_true 0/1 (n); probabilities p(y = 1) in [0, 1] (n). A value on an inner edge falls in the lower bin. */
export function calibrationCurve(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: CalibrationOptions = {},
): CalibrationCurve {
  const metric = 'calibration_curve';
  const n = yTrue.length;
  checkBinaryLabels(metric, yTrue);
  checkLength(metric, 'probabilities', probabilities, n);
  checkProbabilities(metric, 'probabilities', probabilities);
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) fail(metric, `bins is ${bins}; expected a whole number >= 1`);
  const strategy = options.strategy ?? 'uniform';
  if (strategy !== 'uniform' && strategy !== 'quantile') {
    fail(metric, `strategy is '${String(strategy)}'; expected 'uniform' or 'quantile'`);
  }
  const edges = strategy === 'uniform' ? uniformEdges(bins) : quantileEdges(probabilities, bins);

  const count = new Uint32Array(bins);
  const sumPredicted = new Float64Array(bins);
  const positives = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i];
    const b = binOf(edges, p);
    count[b]++;
    sumPredicted[b] += p;
    positives[b] += yTrue[i];
  }

  const used: number[] = [];
  for (let b = 0; b < bins; b++) if (count[b] > 0) used.push(b);
  const take = (f: (b: number) => number) => Float64Array.from(used, f);
  return {
    edges,
    lower: take((b) => edges[b]),
    upper: take((b) => edges[b + 1]),
    count: Uint32Array.from(used, (b) => count[b]),
    meanPredicted: take((b) => sumPredicted[b] / count[b]),
    observedRate: take((b) => positives[b] / count[b]),
  };
}

/** numpy's linspace(0, 1, bins + 1): i × (1 / bins), the last edge set to exactly 1. */
function uniformEdges(bins: number): Float64Array {
  const step = 1 / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step;
  edges[bins] = 1;
  return edges;
}

/**
 * numpy's percentile(p, linspace(0, 1, bins + 1) × 100) with its default linear method, operation
 * for operation (including the ×100 / 100 round trip and its two-sided lerp), so that a prediction
 * lying exactly on an edge lands in the same bin as in scikit-learn.
 */
function quantileEdges(probabilities: ArrayLike<number>, bins: number): Float64Array {
  const sorted = Float64Array.from(probabilities).sort();
  const n = sorted.length;
  const uniform = uniformEdges(bins);
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) {
    const q = (uniform[i] * 100) / 100;
    const v = (n - 1) * q;
    if (v >= n - 1) {
      edges[i] = sorted[n - 1]!;
      continue;
    }
    const lo = Math.floor(v);
    const t = v - lo;
    const a = sorted[lo];
    const b = sorted[lo + 1];
    const d = b - a;
    edges[i] = t >= 0.5 ? b - d * (1 - t) : a + d * t;
  }
  return edges;
}

/** Number of inner edges strictly below p (numpy searchsorted, side 'left', on edges[1..bins-1]). */
function binOf(edges: Float64Array, p: number): number {
  let lo = 1;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

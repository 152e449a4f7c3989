import { CairnError } from '../../core/errors.js';

/**
 * How a detector turns scores into flags: a share of the training rows expected to be anomalous
 * (`contamination`, the threshold is the matching quantile of the training scores) or a fixed
 * `score` cut. Absent, each detector uses its own conventional cut (see its `defaultThreshold`).
 */
export type ThresholdSpec = { contamination: number } | { score: number };

/**
 * The score above which a row is anomalous. With a contamination rate c, the (1 − c) quantile of
 * the training scores (linear interpolation), so about c of the training rows score above it.
 */
export function resolveThreshold(
  spec: ThresholdSpec | undefined,
  trainingScores: Float64Array,
  defaultThreshold: number,
): number {
  if (spec === undefined) return defaultThreshold;
  if ('score' in spec) {
    if (!Number.isFinite(spec.score)) {
      throw new CairnError('INVALID_ARGUMENT', `threshold score must be a finite number; got ${spec.score}`);
    }
    return spec.score;
  }
  const c = spec.contamination;
  if (!(c > 0 && c < 0.5)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `contamination must be in (0, 0.5), the share of rows expected to be anomalous; got ${c}`,
    );
  }
  const sorted = Float64Array.from(trainingScores).sort();
  const h = (sorted.length - 1) * (1 - c);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** 1 where score > threshold, else 0. A NaN score (no usable feature) is not flagged. */
export function flagAnomalies(scores: Float64Array, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}

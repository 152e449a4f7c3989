import { z } from 'zod';
import { CairnError } from '../../core/errors.js';

/** APPROVE; REVIEW: additional verification; STEP_UP: step-up authentication; BLOCK: block and review. */
export const DECISIONS = ['APPROVE', 'REVIEW', 'STEP_UP', 'BLOCK'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Upper score (0–100, inclusive) of each band below BLOCK. */
export const bandsSchema = z.object({
  approve: z.number().int().min(0).max(100).default(30),
  review: z.number().int().min(0).max(100).default(70),
  step_up: z.number().int().min(0).max(100).default(85),
});
export type DecisionBands = z.infer<typeof bandsSchema>;

export const DEFAULT_BANDS: Readonly<DecisionBands> = { approve: 30, review: 70, step_up: 85 };

export function checkBands(bands: DecisionBands): DecisionBands {
  if (!(bands.approve < bands.review && bands.review < bands.step_up && bands.step_up < 100)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `decision bands must rise: approve (${bands.approve}) < review (${bands.review}) < step_up (${bands.step_up}) < 100`,
    );
  }
  return bands;
}

/** The decision for a 0–100 score. */
export function decide(score: number, bands: DecisionBands = DEFAULT_BANDS): Decision {
  if (score <= bands.approve) return 'APPROVE';
  if (score <= bands.review) return 'REVIEW';
  if (score <= bands.step_up) return 'STEP_UP';
  return 'BLOCK';
}

/** The calibrated probability as a whole-number score 0–100. */
export function toScore(probability: number): number {
  return Math.min(100, Math.max(0, Math.round(probability * 100)));
}

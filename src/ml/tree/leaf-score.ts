/** XGBoost's leaf formulas with L1 (alpha) and L2 (lambda) regularisation. */

/** L1 soft-thresholding of a gradient sum (XGBoost's ThresholdL1). */
export function thresholdL1(g: number, alpha: number): number {
  return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
}

/** XGBoost's structure score of a node: ThresholdL1(G)² / (H + λ). */
export function nodeScore(g: number, h: number, lambda: number, alpha: number): number {
  const t = g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
  return (t * t) / (h + lambda);
}

/** XGBoost's leaf weight −ThresholdL1(G) / (H + λ), before shrinkage. */
export function leafWeight(g: number, h: number, lambda: number, alpha: number): number {
  return -thresholdL1(g, alpha) / (h + lambda);
}

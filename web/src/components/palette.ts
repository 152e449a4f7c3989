/** Colours for categories (clusters, decisions); a category keeps its colour on every chart and table. */
const CATEGORY = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d'];

/** The colour of cluster `k`; DBSCAN's noise (−1) is grey. */
export function clusterColor(k: number): string {
  return k < 0 ? '#a0a7b4' : CATEGORY[k % CATEGORY.length];
}

/** Fraud decisions from harmless to severe. */
export const DECISION_COLORS: Record<string, string> = {
  APPROVE: '#54a24b',
  REVIEW: '#c99a00',
  STEP_UP: '#f58518',
  BLOCK: '#e45756',
};

import type { Random } from '../../core/random.js';

/**
 * A seeded hold-out of about `fraction` of the rows: per class (when `classes` > 0, y holding class
 * codes) round(count × fraction) rows, at least one when the class has two or more; both parts ascending.
 */
export function holdoutSplit(
  y: Float64Array,
  classes: number,
  fraction: number,
  random: Random,
): { train: Uint32Array; valid: Uint32Array } {
  const n = y.length;
  const groups = classes > 0 ? classes : 1;
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let r = 0; r < n; r++) members[classes > 0 ? y[r] : 0].push(r);
  const isValid = new Uint8Array(n);
  for (const group of members) {
    const shuffled = random.shuffle(Uint32Array.from(group));
    const take = group.length >= 2 ? Math.max(1, Math.round(group.length * fraction)) : 0;
    for (let i = 0; i < take; i++) isValid[shuffled[i]] = 1;
  }
  let m = 0;
  for (let r = 0; r < n; r++) m += isValid[r];
  const train = new Uint32Array(n - m);
  const valid = new Uint32Array(m);
  for (let r = 0, t = 0, v = 0; r < n; r++) {
    if (isValid[r] === 1) valid[v++] = r;
    else train[t++] = r;
  }
  return { train, valid };
}

/** Each row kept with probability `fraction` (XGBoost's subsample), ascending into out; returns the count (≥ 1). */
export function sampleRows(n: number, fraction: number, random: Random, out: Uint32Array): number {
  let m = 0;
  for (let r = 0; r < n; r++) if (random.next() < fraction) out[m++] = r;
  if (m === 0) out[m++] = random.int(n);
  return m;
}

/** max(1, round(fraction × F)) features without replacement, ascending. */
export function sampleFeatures(F: number, fraction: number, random: Random): Int32Array {
  const all = Int32Array.from({ length: F }, (_, f) => f);
  if (fraction >= 1) return all;
  const m = Math.max(1, Math.round(fraction * F));
  return random.shuffle(all).subarray(0, m).sort();
}

/**
 * Sample weights with class weights multiplied in: given weights per class, or 'balanced'
 * (n / (classes × weighted class count), scikit-learn's rule). Null when every weight would be 1.
 */
export function combineWeights(
  y: Float64Array,
  weights: Float64Array | undefined,
  classWeights: number[] | 'balanced' | undefined,
  classes: number,
): Float64Array | null {
  if (classWeights === undefined) return weights === undefined ? null : weights;
  let perClass: number[];
  if (classWeights === 'balanced') {
    const totals = new Float64Array(classes);
    let total = 0;
    for (let r = 0; r < y.length; r++) {
      const w = weights === undefined ? 1 : weights[r];
      totals[y[r]] += w;
      total += w;
    }
    perClass = Array.from(totals, (t) => (t > 0 ? total / (classes * t) : 0));
  } else {
    perClass = classWeights;
  }
  const out = new Float64Array(y.length);
  for (let r = 0; r < y.length; r++) out[r] = (weights === undefined ? 1 : weights[r]) * perClass[y[r]];
  return out;
}

/**
 * Fold of each row (0..k−1) for k-fold cross-validation, seeded: rows of each class (all rows when
 * `classes` is 0) are shuffled and dealt round-robin, so folds are stratified and within one row.
 */
export function foldOf(y: Float64Array, classes: number, k: number, random: Random): Uint8Array {
  const folds = new Uint8Array(y.length);
  const members: number[][] = Array.from({ length: Math.max(classes, 1) }, () => []);
  for (let r = 0; r < y.length; r++) members[classes > 0 ? y[r] : 0].push(r);
  let next = 0;
  for (const group of members) {
    const shuffled = random.shuffle(Uint32Array.from(group));
    for (let i = 0; i < shuffled.length; i++) folds[shuffled[i]] = (next + i) % k;
    next = (next + shuffled.length) % k;
  }
  return folds;
}

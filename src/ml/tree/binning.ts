import type { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';

/**
 * How raw feature values map to histogram bins (one byte per value). Bin 0 of every feature holds
 * the missing values. A numeric feature's values fall in bins 1..nBins−1 by `cuts` (bin 1 + the
 * number of cuts ≤ x, so "bin ≤ b" is exactly "x < cuts[b − 1]"). A categorical feature gives each
 * category seen in training a bin (1 + its rank by code); when there are more categories than bins,
 * the rarest share one "other" bin, which split search keeps on the right (codes not in a node's
 * set go right), so training and prediction agree. Unseen or invalid codes are missing.
 */
export interface BinMapper {
  readonly features: number;
  /** Per feature: number of bins, the missing bin included (≤ 256). */
  readonly nBins: Int32Array;
  /** Per feature: first slot of its bins in a histogram (prefix sums of nBins); length features + 1. */
  readonly offsets: Int32Array;
  readonly categorical: Uint8Array;
  /** Numeric: ascending cut points (nBins − 2 of them). Categorical: empty. */
  readonly cuts: readonly Float64Array[];
  /** Categorical: bin → category code (−1 for the missing and "other" bins). Numeric: empty. */
  readonly binCodes: readonly Int32Array[];
  /** Categorical: code → bin (0 = unseen, treated as missing). Numeric: empty. */
  readonly codeBins: readonly Uint8Array[];
  /** Categorical: the "other" bin, or −1 when every category has its own bin. */
  readonly otherBin: Int32Array;
}

/** Rows sampled to choose numeric cut points on large data (LightGBM samples 200,000 too). */
export const BIN_SAMPLE_ROWS = 200_000;

/**
 * Chooses bins for every feature of X: up to `maxBins` value bins (≤ 255) plus the missing bin.
 * Numeric cut points are quantiles of (a seeded sample of) the training rows, halfway between
 * neighbouring distinct values; values with a large share of the rows get a bin of their own.
 */
export function fitBins(X: FeatureMatrix, maxBins: number, random: Random, rows?: Uint32Array): BinMapper {
  const F = X.cols;
  const nBins = new Int32Array(F);
  const offsets = new Int32Array(F + 1);
  const categorical = new Uint8Array(F);
  const cuts: Float64Array[] = [];
  const binCodes: Int32Array[] = [];
  const codeBins: Uint8Array[] = [];
  const otherBin = new Int32Array(F).fill(-1);
  const index = rows ?? identity(X.rows);
  const sample = index.length > BIN_SAMPLE_ROWS ? sampleRows(index, BIN_SAMPLE_ROWS, random) : index;
  const values = new Float64Array(sample.length);
  for (let f = 0; f < F; f++) {
    const k = X.categoryCounts[f];
    if (k > 0) {
      const mapped = categoryBins(X, f, k, index, maxBins);
      categorical[f] = 1;
      cuts.push(new Float64Array(0));
      binCodes.push(mapped.binCodes);
      codeBins.push(mapped.codeBins);
      otherBin[f] = mapped.otherBin;
      nBins[f] = mapped.binCodes.length;
    } else {
      const base = f * X.rows;
      let m = 0;
      for (let i = 0; i < sample.length; i++) {
        const x = X.data[base + sample[i]];
        if (x === x) values[m++] = x;
      }
      const featureCuts = quantileCuts(values.subarray(0, m).sort(), maxBins);
      cuts.push(featureCuts);
      binCodes.push(new Int32Array(0));
      codeBins.push(new Uint8Array(0));
      nBins[f] = featureCuts.length + 2;
    }
    offsets[f + 1] = offsets[f] + nBins[f];
  }
  return { features: F, nBins, offsets, categorical, cuts, binCodes, codeBins, otherBin };
}

/** Bins of X, column-major (`bins[f * X.rows + r]`), into `out` when given (e.g. shared memory). */
export function binMatrix(
  X: FeatureMatrix,
  mapper: BinMapper,
  out: Uint8Array = new Uint8Array(X.rows * X.cols),
): Uint8Array {
  const n = X.rows;
  for (let f = 0; f < mapper.features; f++) {
    const column = X.data.subarray(f * n, (f + 1) * n);
    const target = out.subarray(f * n, (f + 1) * n);
    if (mapper.categorical[f] === 1) binCodesColumn(column, mapper.codeBins[f], target);
    else binNumericColumn(column, mapper.cuts[f], target);
  }
  return out;
}

function binNumericColumn(column: Float64Array, cuts: Float64Array, out: Uint8Array): void {
  const m = cuts.length;
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (x !== x) {
      out[i] = 0;
      continue;
    }
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cuts[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo + 1;
  }
}

function binCodesColumn(column: Float64Array, codeBins: Uint8Array, out: Uint8Array): void {
  const k = codeBins.length;
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    out[i] = x >= 0 && x < k && x === Math.floor(x) ? codeBins[x] : 0;
  }
}

function categoryBins(X: FeatureMatrix, f: number, k: number, index: Uint32Array, maxBins: number) {
  const counts = new Float64Array(k);
  const base = f * X.rows;
  for (let i = 0; i < index.length; i++) {
    const x = X.data[base + index[i]];
    if (x >= 0 && x < k && x === Math.floor(x)) counts[x]++;
  }
  const present: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] > 0) present.push(c);
  let kept = present;
  let other = false;
  if (present.length > maxBins) {
    // Keep the most frequent maxBins − 1 categories (ties by code) in code order; the rest share a bin.
    kept = [...present]
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, maxBins - 1)
      .sort((a, b) => a - b);
    other = true;
  }
  const binCodes = new Int32Array(kept.length + 1 + (other ? 1 : 0)).fill(-1);
  const codeBins = new Uint8Array(k);
  const otherBin = other ? kept.length + 1 : -1;
  if (other) for (const c of present) codeBins[c] = otherBin;
  kept.forEach((c, i) => {
    binCodes[i + 1] = c;
    codeBins[c] = i + 1;
  });
  return { binCodes, codeBins, otherBin };
}

/**
 * Cut points for sorted values, after LightGBM's greedy binning: a distinct value holding at least
 * an average bin's share of rows gets its own bin; the rest are grouped to about equal counts.
 */
export function quantileCuts(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i];
    if (distinct.length > 0 && distinct[distinct.length - 1] === x) counts[counts.length - 1]++;
    else {
      distinct.push(x);
      counts.push(1);
    }
  }
  const d = distinct.length;
  if (d <= 1) return new Float64Array(0);
  const cuts: number[] = [];
  if (d <= maxBins) {
    for (let i = 0; i + 1 < d; i++) cuts.push(midpoint(distinct[i], distinct[i + 1]));
    return Float64Array.from(cuts);
  }
  const total = sorted.length;
  let mean = total / maxBins;
  const big = counts.map((c) => c >= mean);
  let restBins = maxBins - big.filter(Boolean).length;
  let restRows = counts.reduce((sum, c, i) => (big[i] ? sum : sum + c), 0);
  mean = restRows / Math.max(restBins, 1);
  let current = 0;
  for (let i = 0; i + 1 < d && cuts.length + 1 < maxBins; i++) {
    current += counts[i];
    if (!big[i]) restRows -= counts[i];
    if (big[i] || current >= mean || (big[i + 1] && current >= Math.max(1, mean * 0.5))) {
      cuts.push(midpoint(distinct[i], distinct[i + 1]));
      current = 0;
      if (!big[i]) {
        restBins--;
        mean = restRows / Math.max(restBins, 1);
      }
    }
  }
  return Float64Array.from(cuts);
}

/** Halfway between a < b, or b when no double lies strictly between them. */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m > a && m <= b ? m : b;
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** `m` of the entries of `index` chosen without replacement (seeded), in ascending order. */
function sampleRows(index: Uint32Array, m: number, random: Random): Uint32Array {
  const copy = Uint32Array.from(index);
  for (let i = 0; i < m; i++) {
    const j = i + random.int(copy.length - i);
    const t = copy[i];
    copy[i] = copy[j]!;
    copy[j] = t;
  }
  return copy.subarray(0, m).sort();
}

/**
 * A forest tree's in-sample rows kept in node order: each node's rows are one contiguous range of
 * positions, partitioned in place at each split, so histograms are built by sequential passes (the
 * layout ordered-rows.ts uses for boosting, kept separate here because a forest tree needs only
 * its single-threaded core). Bins are row-major global bin numbers (`offsets[f] + bin`).
 */
export interface ForestRows {
  readonly F: number;
  readonly offsets: Int32Array;
  /** Every training row's global bins in row order (`pristine[r * F + f]`). */
  readonly pristine: Uint16Array | Uint32Array;
  /** The in-sample rows' bins in node order. */
  readonly bins: Uint16Array | Uint32Array;
  /** Gradient pairs (−w·y, w) in node order. */
  readonly gh: Float64Array;
  /** Training row of each position. */
  readonly ids: Uint32Array;
}

/** Rows of column-major bins (`bins[f * n + r]`) laid out for growing. */
export function forestRows(bins: Uint8Array, n: number, offsets: Int32Array): ForestRows {
  const F = offsets.length - 1;
  const wide = offsets[F] > 65536;
  const pristine = wide ? new Uint32Array(n * F) : new Uint16Array(n * F);
  for (let f = 0; f < F; f++) {
    const column = f * n;
    const offset = offsets[f];
    for (let r = 0; r < n; r++) pristine[r * F + f] = offset + bins[column + r];
  }
  const work = wide ? new Uint32Array(n * F) : new Uint16Array(n * F);
  return { F, offsets, pristine, bins: work, gh: new Float64Array(2 * n), ids: new Uint32Array(n) };
}

/**
 * Takes the rows with weight > 0 of `gh` (row order) into positions 0..m in row order; returns m
 * and the sums G, H and Σ g²/h (= Σ w·y²) in `sums`.
 */
export function loadRows(rows: ForestRows, gh: Float64Array, sums: Float64Array): number {
  const { F, pristine, bins } = rows;
  const n = gh.length / 2;
  let m = 0;
  let G = 0;
  let H = 0;
  let yy = 0;
  for (let r = 0; r < n; r++) {
    const h = gh[2 * r + 1];
    if (!(h > 0)) continue;
    const g = gh[2 * r];
    bins.set(pristine.subarray(r * F, (r + 1) * F), m * F);
    rows.gh[2 * m] = g;
    rows.gh[2 * m + 1] = h;
    rows.ids[m++] = r;
    G += g;
    H += h;
    yy += (g * g) / h;
  }
  sums[0] = G;
  sums[1] = H;
  sums[2] = yy;
  return m;
}

/**
 * Partitions positions s..e in place (Hoare's scheme) by a split of feature f: missing (local bin
 * 0) goes left when defaultLeft; else a categorical split sends local bin b left when mask[b] = 1,
 * a numeric one when b ≤ threshold. Returns the first position on the right.
 */
export function partitionRows(
  rows: ForestRows,
  s: number,
  e: number,
  f: number,
  threshold: number,
  defaultLeft: boolean,
  mask: Uint8Array | null,
): number {
  const { F, bins, gh, ids } = rows;
  const missing = rows.offsets[f];
  const goesLeft = (gb: number) =>
    gb === missing ? defaultLeft : mask !== null ? mask[gb - missing] === 1 : gb - missing <= threshold;
  let i = s;
  let j = e - 1;
  for (;;) {
    while (i <= j && goesLeft(bins[i * F + f])) i++;
    while (i <= j && !goesLeft(bins[j * F + f])) j--;
    if (i > j) return i;
    for (let a = i * F, c = j * F, q = 0; q < F; q++) {
      const x = bins[a + q];
      bins[a + q] = bins[c + q]!;
      bins[c + q] = x;
    }
    for (let q = 0; q < 2; q++) {
      const x = gh[2 * i + q];
      gh[2 * i + q] = gh[2 * j + q]!;
      gh[2 * j + q] = x;
    }
    const id = ids[i];
    ids[i] = ids[j]!;
    ids[j] = id;
    i++;
    j--;
  }
}

/** The histogram of positions s..e into `hist` (all zeros): (Σ g, Σ h) at slot 2 × global bin. */
export function buildHistogram(rows: ForestRows, s: number, e: number, hist: Float64Array): Float64Array {
  const { F, bins, gh } = rows;
  for (let i = s; i < e; i++) {
    const g = gh[2 * i];
    const h = gh[2 * i + 1];
    for (let j = i * F; j < (i + 1) * F; j++) {
      const k = 2 * bins[j];
      hist[k] += g;
      hist[k + 1] += h;
    }
  }
  return hist;
}

/** Zeros the slots of the bins of positions s..e (a histogram built from those rows alone). */
export function clearHistogram(rows: ForestRows, s: number, e: number, hist: Float64Array): void {
  const { F, bins } = rows;
  for (let j = s * F; j < e * F; j++) {
    const k = 2 * bins[j];
    hist[k] = 0;
    hist[k + 1] = 0;
  }
}

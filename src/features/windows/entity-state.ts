/**
 * One entity's retained events, oldest first, in a ring that grows by doubling: event times in
 * epoch ms, numeric columns row-major (`nums[slot * N + c]`, NaN for missing) and key columns
 * (`keys[slot * K + c]`). Positions are absolute (they only grow), a slot is `position & mask`.
 */
export class EntityState {
  cap: number;
  mask: number;
  head = 0;
  size = 0;
  times: Float64Array;
  nums: Float64Array;
  keys: (string | null)[];
  watermark = -Infinity;
  /** Per window: position of the first event inside it. */
  readonly start: Float64Array;
  /** Per window: events inside it. */
  readonly rows: Float64Array;
  /**
   * Per (window, numeric column), index `w * N + c`: non-missing values, sum, min, max, and the sum
   * and sum of squares of (value − shift), where shift is the first value the window held since it
   * was last empty — shifted sums keep the variance of near-equal values from cancelling to noise.
   */
  readonly cnt: Float64Array;
  readonly sum: Float64Array;
  readonly shift: Float64Array;
  readonly dsum: Float64Array;
  readonly sumsq: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** 1 when the window's min or max left it and must be found again by a scan. */
  readonly stale: Uint8Array;
  /** Per (window, key column), index `w * K + c`: value → occurrences, created for distinct features only. */
  readonly distinct: (Map<string, number> | null)[];
  /** The entity's latest event features (by event time), in feature order; text `last` values apart. */
  readonly latest: Float64Array;
  readonly latestText: (string | null)[];
  /** Per key column: values seen for first_seen flags, oldest first (bounded). */
  readonly seen: (Set<string> | null)[];

  constructor(
    readonly N: number,
    readonly K: number,
    windows: number,
    features: number,
    distinctPairs: readonly number[],
    seenColumns: readonly number[],
    initialCap = 8,
  ) {
    this.cap = initialCap;
    this.mask = initialCap - 1;
    this.times = new Float64Array(initialCap);
    this.nums = new Float64Array(initialCap * N);
    this.keys = new Array<string | null>(initialCap * K).fill(null);
    this.start = new Float64Array(windows);
    this.rows = new Float64Array(windows);
    const pairs = windows * N;
    this.cnt = new Float64Array(pairs);
    this.sum = new Float64Array(pairs);
    this.shift = new Float64Array(pairs);
    this.dsum = new Float64Array(pairs);
    this.sumsq = new Float64Array(pairs);
    this.min = new Float64Array(pairs).fill(Infinity);
    this.max = new Float64Array(pairs).fill(-Infinity);
    this.stale = new Uint8Array(pairs * 2);
    this.distinct = new Array<Map<string, number> | null>(windows * K).fill(null);
    for (const p of distinctPairs) this.distinct[p] = new Map();
    this.latest = new Float64Array(features).fill(Number.NaN);
    this.latestText = new Array<string | null>(features).fill(null);
    this.seen = new Array<Set<string> | null>(K).fill(null);
    for (const c of seenColumns) this.seen[c] = new Set();
  }

  get end(): number {
    return this.head + this.size;
  }

  time(position: number): number {
    return this.times[position & this.mask];
  }

  num(position: number, c: number): number {
    return this.nums[(position & this.mask) * this.N + c];
  }

  key(position: number, c: number): string | null {
    return this.keys[(position & this.mask) * this.K + c];
  }

  /** Doubles the ring, keeping absolute positions. */
  grow(): void {
    const cap = this.cap * 2;
    const mask = cap - 1;
    const times = new Float64Array(cap);
    const nums = new Float64Array(cap * this.N);
    const keys = new Array<string | null>(cap * this.K).fill(null);
    for (let p = this.head; p < this.end; p++) {
      const from = p & this.mask;
      const to = p & mask;
      times[to] = this.times[from];
      for (let c = 0; c < this.N; c++) nums[to * this.N + c] = this.nums[from * this.N + c];
      for (let c = 0; c < this.K; c++) keys[to * this.K + c] = this.keys[from * this.K + c];
    }
    this.cap = cap;
    this.mask = mask;
    this.times = times;
    this.nums = nums;
    this.keys = keys;
  }

  /** First position whose time is greater than `t` (events with equal times stay in arrival order). */
  upperBound(t: number): number {
    let lo = this.head;
    let hi = this.end;
    // Most events arrive in order: check the newest first.
    if (hi === lo || this.time(hi - 1) <= t) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Opens a gap at `position` by moving later events up one (late events only). */
  shiftUp(position: number): void {
    for (let p = this.end; p > position; p--) {
      const to = p & this.mask;
      const from = (p - 1) & this.mask;
      this.times[to] = this.times[from];
      for (let c = 0; c < this.N; c++) this.nums[to * this.N + c] = this.nums[from * this.N + c];
      for (let c = 0; c < this.K; c++) this.keys[to * this.K + c] = this.keys[from * this.K + c];
    }
  }
}

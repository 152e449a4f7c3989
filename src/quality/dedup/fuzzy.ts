import { valueSimilarity } from './similarity.js';
import { normalizeText, sortTokens } from './normalize.js';

/** Similarity at which two records match by default: high, because deduplication removes records. */
export const DEFAULT_THRESHOLD = 0.95;

export interface FuzzyOptions {
  /** Smallest weighted similarity (0..1) for two records to match. Default 0.95. */
  threshold?: number;
  /** Weight per column, in column order; default equal weights. */
  weights?: number[];
  /** Characters of each normalised value that form its blocking key. Default 3. */
  prefix?: number;
  /** Blocks larger than this are compared only within a sliding window of this size. Default 200. */
  window?: number;
}

export interface FuzzyPair {
  a: number;
  b: number;
  score: number;
}

export interface FuzzyCluster {
  /** Record indexes, ascending. */
  members: number[];
  /** Mean and weakest similarity over the matched pairs that join the cluster. */
  score: number;
  minScore: number;
}

export interface FuzzyResult {
  pairs: FuzzyPair[];
  clusters: FuzzyCluster[];
  comparisons: number;
}

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root];
  while (parent[i] !== root) {
    const next = parent[i];
    parent[i] = root;
    i = next;
  }
  return root;
}

/**
 * Fuzzy duplicate detection over `columns` (column-major: columns[c][row], null = missing).
 * Values are normalised; records are blocked by the prefix of each column's value, as written and
 * with words sorted, so a pair is compared when any column's prefix agrees; within a block each pair
 * is scored by the weighted mean similarity (`valueSimilarity`) over the columns both records fill.
 * Matches (score ≥ threshold) are joined into clusters by union–find.
 */
export function findFuzzyDuplicates(columns: (string | null)[][], options: FuzzyOptions = {}): FuzzyResult {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const prefix = options.prefix ?? 3;
  const window = options.window ?? 200;
  const n = columns[0]?.length ?? 0;
  const k = columns.length;
  const weights = options.weights ?? new Array<number>(k).fill(1);
  const norm = columns.map((col) => col.map((v) => (v === null ? null : normalizeText(v))));
  const sorted = norm.map((col) => col.map((v) => (v === null ? null : sortTokens(v))));
  const words = norm.map((col) => col.map((v) => (v === null ? [] : v.split(' '))));

  const blocks = new Map<string, number[]>();
  const addTo = (key: string, row: number) => {
    const block = blocks.get(key);
    if (block) block.push(row);
    else blocks.set(key, [row]);
  };
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < n; r++) {
      const v = norm[c][r];
      const s = sorted[c][r];
      if (!v) continue;
      addTo(`${c}:${v.slice(0, prefix)}`, r);
      if (s && s !== v) addTo(`${c}s:${s.slice(0, prefix)}`, r);
      else addTo(`${c}s:${v.slice(0, prefix)}`, r);
    }
  }

  const scoreOf = (a: number, b: number): number => {
    let sum = 0;
    let weight = 0;
    for (let c = 0; c < k; c++) {
      const x = norm[c][a];
      const y = norm[c][b];
      if (x === null || y === null) continue;
      sum += weights[c] * valueSimilarity(x, y, words[c][a], words[c][b]);
      weight += weights[c];
    }
    return weight === 0 ? 0 : sum / weight;
  };

  const seen = new Set<number>();
  const pairs: FuzzyPair[] = [];
  let comparisons = 0;
  const compare = (a: number, b: number) => {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const id = lo * n + hi;
    if (seen.has(id)) return;
    seen.add(id);
    comparisons++;
    const score = scoreOf(lo, hi);
    if (score >= threshold) pairs.push({ a: lo, b: hi, score });
  };
  for (const [key, members] of blocks) {
    if (members.length < 2) continue;
    if (members.length <= window) {
      for (let i = 0; i < members.length; i++)
        for (let j = i + 1; j < members.length; j++) compare(members[i], members[j]);
      continue;
    }
    // Sorted neighbourhood: in an oversized block, only records near each other in sort order meet.
    const c = Number.parseInt(key, 10);
    const byValue = [...members].sort((x, y) => ((norm[c][x] ?? '') < (norm[c][y] ?? '') ? -1 : 1));
    for (let i = 0; i < byValue.length; i++) {
      for (let j = i + 1; j < Math.min(byValue.length, i + window); j++) compare(byValue[i], byValue[j]);
    }
  }

  const parent = Int32Array.from({ length: n }, (_, i) => i);
  for (const { a, b } of pairs) {
    const ra = find(parent, a);
    const rb = find(parent, b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const groups = new Map<number, { members: number[]; sum: number; count: number; min: number }>();
  for (const { a, score } of pairs) {
    const root = find(parent, a);
    const group = groups.get(root) ?? { members: [], sum: 0, count: 0, min: 1 };
    group.sum += score;
    group.count++;
    group.min = Math.min(group.min, score);
    groups.set(root, group);
  }
  for (let r = 0; r < n; r++) {
    const group = groups.get(find(parent, r));
    if (group) group.members.push(r);
  }
  const clusters = [...groups.values()]
    .map((g) => ({ members: g.members, score: g.sum / g.count, minScore: g.min }))
    .sort((x, y) => x.members[0] - y.members[0]);
  return { pairs, clusters, comparisons };
}

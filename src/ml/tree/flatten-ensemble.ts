import type { TreeEnsemble } from './ensemble.js';
import type { Tree } from './tree.js';

/** Categorical splits over at most this many codes test a byte table, larger ones a bitset. */
const LUT_CODES = 4096;
/** Trees deeper than this are kept as linked nodes; a perfect tree has 2^depth leaves. */
export const MAX_PERFECT_DEPTH = 10;
/** The largest binned value: a missing value in a MISSING_HIGH slot, an unusable category code. */
export const MISSING_BIN = 0xffff;
/** Kinds of row slots (see FlatEnsemble.slotKind). */
export const SLOT = { missingHigh: 0, missingLow: 1, categorical: 2, zero: 3 } as const;
/** The perfect layout packs a row slot and a cut into 16 bits each (see FlatEnsemble.packed). */
const MAX_SLOTS = 2 ** 16;

/** A TreeEnsemble as the flat arrays CompiledEnsemble walks (see there for the layouts). */
export interface FlatEnsemble {
  readonly outputs: number;
  readonly features: number;
  readonly baseMargin: Float64Array;
  readonly treeOutput: Int32Array;
  readonly trees: number;
  /** Perfect layout depth, or 0 for the linked layout. */
  readonly depth: number;
  /** Slots per tree: inner nodes then leaves (perfect), or nodes (linked). */
  readonly width: number;
  readonly feature: Int32Array;
  /** Numeric split threshold; a leaf's value; a bitset slot's code capacity. */
  readonly threshold: Float64Array;
  readonly missingRight: Int32Array;
  /**
   * Perfect layout, one load per step: slot << 16 | cut. A numeric node sends a row right when its
   * binned value in `slot` is ≥ cut (1..65535); cut 0 marks a categorical node (its code in `slot`).
   */
  readonly packed: Int32Array;
  /**
   * Perfect layout: the row slots prediction bins before walking. A numeric slot's value counts
   * the feature's distinct thresholds (ascending: cuts[cutStart[s]..cutStart[s + 1])) that are ≤ x,
   * so `x >= threshold` becomes an integer comparison. Nodes that send missing values right read a
   * `missingHigh` slot (missing = MISSING_BIN, above every cut), nodes that send them left a
   * `missingLow` one (missing = 0, values + 1), so the step needs no test for missing. A
   * `categorical` slot holds the code, or slotLimit for NaN or an unusable code; its nodes' byte
   * tables have slotLimit + 1 entries, the last one the missing direction. Slot 0 is a `zero`
   * slot, which the always-left steps of an early leaf read with cut 1.
   */
  readonly slotFeature: Int32Array;
  readonly slotKind: Uint8Array;
  readonly slotLimit: Int32Array;
  readonly cutStart: Int32Array;
  readonly cuts: Float64Array;
  /** Linked layout: left child (right = left + 1); leaves have feature −1. */
  readonly child: Int32Array;
  readonly catStart: Int32Array;
  readonly catLimit: Int32Array;
  readonly catBits: Uint32Array;
  readonly catLut: Uint8Array;
  readonly bigCategorical: Uint8Array;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Flattens the trees: a perfect layout when every tree is at most 10 deep and its bins fit the
 * packed words, else linked nodes.
 */
export function flattenEnsemble(ensemble: TreeEnsemble): FlatEnsemble {
  const maxDepth = Math.max(1, ...ensemble.trees.map(treeDepth));
  if (maxDepth <= MAX_PERFECT_DEPTH) {
    const perfect = layout(ensemble, maxDepth);
    if (packSlots(perfect)) return perfect;
  }
  return layout(ensemble, 0);
}

function layout(ensemble: TreeEnsemble, depth: number): Mutable<FlatEnsemble> {
  const F = ensemble.featureNames.length;
  const width = depth > 0 ? 2 ** (depth + 1) - 1 : Math.max(1, ...ensemble.trees.map((t) => t.left.length));
  const size = width * ensemble.trees.length;
  const a: Mutable<FlatEnsemble> = {
    outputs: ensemble.outputs,
    features: F,
    baseMargin: Float64Array.from(ensemble.baseMargin),
    treeOutput: Int32Array.from(ensemble.treeOutput),
    trees: ensemble.trees.length,
    depth,
    width,
    feature: new Int32Array(size).fill(-1),
    threshold: new Float64Array(size).fill(NaN),
    missingRight: new Int32Array(size),
    packed: new Int32Array(depth > 0 ? size : 0),
    slotFeature: new Int32Array(0),
    slotKind: new Uint8Array(0),
    slotLimit: new Int32Array(0),
    cutStart: new Int32Array(1),
    cuts: new Float64Array(0),
    child: new Int32Array(depth > 0 ? 0 : size),
    catStart: new Int32Array(size),
    catLimit: new Int32Array(size),
    catBits: new Uint32Array(0),
    catLut: new Uint8Array(0),
    bigCategorical: new Uint8Array(size),
  };
  const bits: number[] = [];
  const lut: number[] = [];
  ensemble.trees.forEach((tree, t) => {
    if (depth > 0) placePerfect(a, ensemble, tree, t * width, bits, lut);
    else placeLinked(a, ensemble, tree, t * width, bits, lut);
  });
  a.catBits = Uint32Array.from(bits);
  a.catLut = Uint8Array.from(lut);
  return a;
}

/**
 * Fills the perfect layout's slots, cuts and packed words from its feature, threshold and
 * missingRight arrays, and gives categorical nodes byte tables over their feature's codes; false
 * when they do not fit (65,536 slots or more, a feature with more than 65,533 thresholds, or a
 * categorical split on more than LUT_CODES codes).
 */
function packSlots(a: Mutable<FlatEnsemble>): boolean {
  const F = a.features;
  const inner = 2 ** a.depth - 1;
  const nodes: number[] = [];
  for (let t = 0; t < a.trees; t++) for (let node = 0; node < inner; node++) nodes.push(t * a.width + node);
  const thresholds = new Map<number, Set<number>>();
  const codeLimit = new Map<number, number>();
  for (const i of nodes) {
    const f = a.feature[i];
    if (f >= F) {
      if (a.bigCategorical[i] === 1) return false;
      codeLimit.set(f - F, Math.max(codeLimit.get(f - F) ?? 0, a.catLimit[i]));
      continue;
    }
    if (Number.isNaN(a.threshold[i])) continue;
    let set = thresholds.get(f);
    if (set === undefined) thresholds.set(f, (set = new Set()));
    set.add(a.threshold[i]);
  }
  const sortedCuts = new Map<number, number[]>();
  for (const [f, set] of thresholds)
    sortedCuts.set(
      f,
      [...set].sort((x, y) => x - y),
    );
  const slotFeature = [-1];
  const slotKind: number[] = [SLOT.zero];
  const slotLimit = [0];
  const cutStart = [0, 0];
  const cuts: number[] = [];
  const slotOf = new Map<string, number>();
  const slot = (f: number, kind: number): number => {
    const key = `${f}:${kind}`;
    let s = slotOf.get(key);
    if (s === undefined) {
      s = slotFeature.length;
      slotOf.set(key, s);
      slotFeature.push(f);
      slotKind.push(kind);
      slotLimit.push(kind === SLOT.categorical ? codeLimit.get(f)! : 0);
      if (kind !== SLOT.categorical) cuts.push(...sortedCuts.get(f)!);
      cutStart.push(cuts.length);
    }
    return s;
  };
  const lut: number[] = [];
  for (const i of nodes) {
    const f = a.feature[i];
    if (f >= F) {
      a.packed[i] = slot(f - F, SLOT.categorical) << 16;
      // Codes from the node's own limit up to the feature's, and the missing entry, go as missing.
      const start = lut.length;
      for (let c = 0; c < a.catLimit[i]; c++) lut.push(a.catLut[a.catStart[i] + c]);
      for (let c = a.catLimit[i]; c <= codeLimit.get(f - F)!; c++) lut.push(a.missingRight[i]);
      a.catStart[i] = start;
    } else if (Number.isNaN(a.threshold[i])) a.packed[i] = 1;
    else {
      const sorted = sortedCuts.get(f)!;
      if (sorted.length > MISSING_BIN - 2) return false;
      const high = a.missingRight[i] === 1;
      const cut = binarySearch(sorted, a.threshold[i]) + (high ? 1 : 2);
      a.packed[i] = (slot(f, high ? SLOT.missingHigh : SLOT.missingLow) << 16) | cut;
    }
    if (slotFeature.length > MAX_SLOTS) return false;
  }
  a.slotFeature = Int32Array.from(slotFeature);
  a.slotKind = Uint8Array.from(slotKind);
  a.slotLimit = Int32Array.from(slotLimit);
  a.catLut = Uint8Array.from(lut);
  a.cutStart = Int32Array.from(cutStart);
  a.cuts = Float64Array.from(cuts);
  return true;
}

function binarySearch(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The same arrays copied onto SharedArrayBuffers. */
export function shareFlat(a: FlatEnsemble): FlatEnsemble {
  const share = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(array: T): T => {
    const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(
      new SharedArrayBuffer(array.byteLength),
    );
    copy.set(array);
    return copy;
  };
  return {
    ...a,
    baseMargin: share(a.baseMargin),
    treeOutput: share(a.treeOutput),
    feature: share(a.feature),
    threshold: share(a.threshold),
    missingRight: share(a.missingRight),
    packed: share(a.packed),
    slotFeature: share(a.slotFeature),
    slotKind: share(a.slotKind),
    slotLimit: share(a.slotLimit),
    cutStart: share(a.cutStart),
    cuts: share(a.cuts),
    child: share(a.child),
    catStart: share(a.catStart),
    catLimit: share(a.catLimit),
    catBits: share(a.catBits),
    catLut: share(a.catLut),
    bigCategorical: share(a.bigCategorical),
  };
}

function placePerfect(
  a: Mutable<FlatEnsemble>,
  ensemble: TreeEnsemble,
  tree: Tree,
  base: number,
  bits: number[],
  lut: number[],
): void {
  const place = (node: number, slot: number, level: number): void => {
    if (level === a.depth) {
      a.threshold[base + slot] = tree.value[node]!;
      return;
    }
    if (tree.left[node] < 0) {
      // An early leaf: always left (NaN threshold, missing left) down to the leaf level.
      a.feature[base + slot] = 0;
      a.threshold[base + slot] = NaN;
      place(node, 2 * slot + 1, level + 1);
      return;
    }
    setSplit(a, ensemble, tree, node, base + slot, bits, lut);
    place(tree.left[node], 2 * slot + 1, level + 1);
    place(tree.right[node], 2 * slot + 2, level + 1);
  };
  place(0, 0, 0);
}

function placeLinked(
  a: Mutable<FlatEnsemble>,
  ensemble: TreeEnsemble,
  tree: Tree,
  base: number,
  bits: number[],
  lut: number[],
): void {
  // Breadth-first so that siblings sit next to each other.
  const queue = [0];
  const slots = [base];
  let next = base + 1;
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q];
    const slot = slots[q];
    if (tree.left[node] < 0) {
      a.feature[slot] = -1;
      a.threshold[slot] = tree.value[node]!;
      continue;
    }
    setSplit(a, ensemble, tree, node, slot, bits, lut);
    a.child[slot] = next;
    queue.push(tree.left[node], tree.right[node]);
    slots.push(next, next + 1);
    next += 2;
  }
}

function setSplit(
  a: Mutable<FlatEnsemble>,
  ensemble: TreeEnsemble,
  tree: Tree,
  node: number,
  slot: number,
  bits: number[],
  lut: number[],
): void {
  const f = tree.feature[node];
  a.missingRight[slot] = tree.defaultLeft[node] === 1 ? 0 : 1;
  const start = tree.catOffsets[node];
  const end = tree.catOffsets[node + 1];
  if (start === end) {
    a.feature[slot] = f;
    a.threshold[slot] = tree.threshold[node]!;
    return;
  }
  a.feature[slot] = f + a.features;
  let maxCode = 0;
  for (let i = start; i < end; i++) maxCode = Math.max(maxCode, tree.catCodes[i]);
  const k = ensemble.categoryCounts[f] ?? 0;
  const limit = k > 0 ? k : maxCode + 1;
  a.catLimit[slot] = limit;
  if (limit <= LUT_CODES) {
    // Byte per code: 1 = right (not in the set).
    a.catStart[slot] = lut.length;
    const at = lut.length;
    for (let c = 0; c < limit; c++) lut.push(1);
    for (let i = start; i < end; i++) if (tree.catCodes[i] < limit) lut[at + tree.catCodes[i]] = 0;
    return;
  }
  a.bigCategorical[slot] = 1;
  a.catStart[slot] = bits.length;
  const words = (maxCode >> 5) + 1;
  const at = bits.length;
  for (let w = 0; w < words; w++) bits.push(0);
  for (let i = start; i < end; i++) {
    const code = tree.catCodes[i];
    bits[at + (code >> 5)] = (bits[at + (code >> 5)] | (1 << (code & 31))) >>> 0;
  }
  // A bitset slot's threshold holds how many codes its bitset covers; codes past it go right.
  a.threshold[slot] = words * 32;
}

function treeDepth(tree: Tree): number {
  const depthOf = (node: number): number =>
    tree.left[node] < 0 ? 0 : 1 + Math.max(depthOf(tree.left[node]), depthOf(tree.right[node]));
  return depthOf(0);
}

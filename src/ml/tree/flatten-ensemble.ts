import type { TreeEnsemble } from './ensemble.js';
import type { Tree } from './tree.js';

/** Categorical splits over at most this many codes test a byte table, larger ones a bitset. */
const LUT_CODES = 4096;
/** Trees deeper than this are kept as linked nodes; a perfect tree has 2^depth leaves. */
const MAX_PERFECT_DEPTH = 10;

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
  /** Perfect layout: feature << 3 | bitset << 2 | categorical << 1 | missing right, one load per step. */
  readonly packed: Int32Array;
  /** Linked layout: left child (right = left + 1); leaves have feature −1. */
  readonly child: Int32Array;
  readonly catStart: Int32Array;
  readonly catLimit: Int32Array;
  readonly catBits: Uint32Array;
  readonly catLut: Uint8Array;
  readonly bigCategorical: Uint8Array;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Flattens the trees: a perfect layout when every tree is at most 10 deep, else linked nodes. */
export function flattenEnsemble(ensemble: TreeEnsemble): FlatEnsemble {
  const F = ensemble.featureNames.length;
  const maxDepth = Math.max(1, ...ensemble.trees.map(treeDepth));
  const depth = maxDepth <= MAX_PERFECT_DEPTH ? maxDepth : 0;
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
  for (let i = 0; i < a.packed.length; i++) {
    const f = a.feature[i];
    const categorical = f >= F;
    const kind = categorical ? (a.bigCategorical[i] === 1 ? 6 : 2) : 0;
    a.packed[i] = ((categorical ? f - F : Math.max(f, 0)) << 3) | kind | a.missingRight[i];
  }
  return a;
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

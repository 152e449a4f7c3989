import type { Random } from '../../core/random.js';
import type { BinMapper } from './binning.js';
import type { GbdtParams } from './gbdt-params.js';
import type { GrownTree } from './grown-tree.js';
import { featureLayout } from './histogram.js';
import type { Objective } from './objectives.js';
import { sampleFeatures, sampleRows } from './sampling.js';
import type { Tree } from './tree.js';
import type { LeafRows, TreeGrower } from './tree-grower.js';

/** Binned rows with their labels and weights. */
export interface BinnedSet {
  readonly bins: Uint8Array;
  readonly n: number;
  readonly y: Float64Array;
  readonly w: Float64Array | null;
}

export interface BoostInput {
  readonly train: BinnedSet;
  readonly valid: BinnedSet | null;
  readonly mapper: BinMapper;
  readonly objective: Objective;
  readonly params: GbdtParams;
  readonly rounds: number;
  readonly baseMargin: Float64Array;
  readonly random: Random;
  readonly grower: TreeGrower;
  readonly onProgress?: (round: number, total: number, validLoss?: number) => void;
}

export interface BoostResult {
  /** Trees of the rounds kept, round by round, output by output. */
  readonly trees: Tree[];
  readonly treeOutput: Int32Array;
  /** Validation metric after each round run (empty without validation). */
  readonly evalHistory: number[];
  /** The round (0-based) with the best validation metric, or the last round. */
  readonly bestRound: number;
  readonly baseMargin: Float64Array;
}

/**
 * The boosting loop: each round computes gradient pairs for every output, grows one tree per output
 * on a row sample and a feature sample, and adds its leaves to the margins of every training row
 * (validation rows are routed by their bins). With a validation set, it records the metric
 * each round and stops after `earlyStoppingRounds` rounds without improvement, keeping the best.
 */
export function boost(input: BoostInput): BoostResult {
  const { train, valid, mapper, objective, params, grower, random } = input;
  const K = objective.outputs;
  const n = train.n;
  const margins = grower.margins;
  for (let r = 0; r < n; r++) margins.set(input.baseMargin, r * K);
  const validMargins = valid === null ? null : initialMargins(valid.n, input.baseMargin);
  const sample = params.subsample < 1 ? new Uint32Array(n) : null;
  const inSample = params.subsample < 1 ? new Uint8Array(n) : null;
  const trees: Tree[] = [];
  const history: number[] = [];
  let best = Infinity;
  let bestRound = input.rounds - 1;
  for (let round = 0; round < input.rounds; round++) {
    const parameter = objective.roundParameter(margins, train.y);
    if (sample !== null) {
      const count = sampleRows(n, params.subsample, random, sample);
      inSample!.fill(0);
      for (let i = 0; i < count; i++) inSample![sample[i]] = 1;
    }
    for (let k = 0; k < K; k++) {
      grower.gradients(k, parameter);
      const layout = featureLayout(
        sampleFeatures(mapper.features, params.colsampleBytree, random),
        mapper.offsets,
      );
      const grown = grower.grow(inSample, layout);
      if (objective.refitLeaf !== undefined)
        refitLeaves(grown, grower.leafRows(grown), objective, margins, train, params.learningRate);
      grower.addToMargins(grown, k);
      if (valid !== null) addRouted(grown, valid.bins, valid.n, validMargins!, K, k);
      trees.push(grown.toTree(mapper));
    }
    let loss: number | undefined;
    if (valid !== null) {
      loss = objective.loss(validMargins!, valid.y, valid.w);
      history.push(loss);
      if (loss < best) {
        best = loss;
        bestRound = round;
      }
    }
    input.onProgress?.(round + 1, input.rounds, loss);
    if (valid !== null && params.earlyStoppingRounds > 0 && round - bestRound >= params.earlyStoppingRounds)
      break;
  }
  const kept = trees.slice(0, (bestRound + 1) * K);
  const treeOutput = Int32Array.from(kept, (_, t) => t % K);
  return {
    trees: kept,
    treeOutput,
    evalHistory: history,
    bestRound,
    baseMargin: Float64Array.from(input.baseMargin),
  };
}

function initialMargins(n: number, base: Float64Array): Float64Array {
  const K = base.length;
  const margins = new Float64Array(n * K);
  for (let r = 0; r < n; r++) margins.set(base, r * K);
  return margins;
}

function refitLeaves(
  grown: GrownTree,
  leaves: LeafRows,
  objective: Objective,
  margins: Float64Array,
  train: BinnedSet,
  learningRate: number,
): void {
  for (let node = 0; node < grown.size; node++) {
    const start = leaves.start[node];
    const end = leaves.end[node];
    if (grown.left[node] >= 0 || end <= start) continue;
    grown.value[node] =
      objective.refitLeaf!(margins, train.y, train.w, leaves.rows, start, end) * learningRate;
  }
}

/** Adds the tree's output to every row of a binned set (validation rows). */
function addRouted(
  grown: GrownTree,
  bins: Uint8Array,
  n: number,
  margins: Float64Array,
  K: number,
  k: number,
): void {
  for (let r = 0; r < n; r++) margins[r * K + k] += grown.value[grown.leafOfBinned(bins, n, r)];
}

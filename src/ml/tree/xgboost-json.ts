import { CairnError } from '../../core/errors.js';
import type { EnsembleObjective, TreeEnsemble } from './ensemble.js';
import type { Tree } from './tree.js';
import {
  count,
  flags,
  integers,
  invalid,
  list,
  numbers,
  object,
  parseNumber,
  parseXgboostText,
  text,
  unsupported,
  type Json,
} from './xgboost-json-read.js';

export { parseXgboostText } from './xgboost-json-read.js';

/**
 * Import of gradient-boosted tree models saved by XGBoost (≥ 1.6) with `booster.save_model("m.json")`.
 *
 * XGBoost keeps inputs, thresholds and leaves as float32 and tests `float32(x) < threshold`. Cairn
 * tests `x < threshold` on float64 inputs, so each threshold t becomes `float32Threshold(t)`, the
 * smallest double T with fround(T) ≥ t: then `x < T` ⇔ `fround(x) < t` for every double x, and
 * rows score exactly as in XGBoost whether their values were rounded to float32 first or not.
 */
export interface XgboostImportOptions {
  /**
   * Per feature, the category count k of a categorical feature (codes 0..k-1), 0 for numeric ones.
   * XGBoost's JSON does not record it, so by default it is the largest code any split names, plus
   * one — a lower bound. Pass the real counts (the caller encodes the categories, so it knows
   * them): Cairn treats codes ≥ k as unseen, i.e. missing, while XGBoost treats a valid code that
   * no split lists like any other unlisted one.
   */
  categoryCounts?: ArrayLike<number>;
}

/**
 * A TreeEnsemble from an XGBoost JSON model: the file's text (XGBoost writes bare `NaN` and
 * `Infinity`, which JSON.parse rejects, so pass the text rather than your own parse) or its
 * parsed value. Throws INVALID_ARGUMENT on malformed models, UNSUPPORTED_FORMAT on boosters,
 * objectives and tree kinds Cairn does not score.
 */
export function importXgboostJson(json: unknown, options: XgboostImportOptions = {}): TreeEnsemble {
  const root = object(typeof json === 'string' ? parseXgboostText(json) : json, '(model)');
  const learner = object(root.learner, 'learner');
  const param = object(learner.learner_model_param, 'learner.learner_model_param');
  const objectiveName = text(object(learner.objective, 'learner.objective').name, 'learner.objective.name');
  const link = OBJECTIVES[objectiveName];
  if (link === undefined) {
    unsupported(`objective '${objectiveName}' (Cairn reads ${Object.keys(OBJECTIVES).join(', ')})`);
  }
  if (param.num_target !== undefined && count(param.num_target, 'learner_model_param.num_target') > 1) {
    unsupported('multi-target models (num_target > 1)');
  }
  const numClass = count(param.num_class ?? 0, 'learner_model_param.num_class');
  if (link.objective === 'multiclass' ? numClass < 2 : numClass > 1) {
    invalid(
      `'learner_model_param.num_class' is ${numClass}, which does not fit objective '${objectiveName}'`,
    );
  }
  const outputs = link.objective === 'multiclass' ? numClass : 1;
  const numFeature = count(param.num_feature, 'learner_model_param.num_feature');

  const booster = object(learner.gradient_booster, 'learner.gradient_booster');
  const boosterName = text(booster.name, 'learner.gradient_booster.name');
  if (boosterName !== 'gbtree') unsupported(`booster '${boosterName}' (Cairn reads 'gbtree' only)`);
  const model = object(booster.model, 'gradient_booster.model');
  const rawTrees = list(model.trees, 'gradient_booster.model.trees');
  const treeOutput = integers(model.tree_info, 'gradient_booster.model.tree_info', rawTrees.length);
  treeOutput.forEach((k, t) => {
    if (k < 0 || k >= outputs) invalid(`'tree_info[${t}]' is ${k}; the model has ${outputs} output(s)`);
  });

  const maxCode = new Int32Array(numFeature).fill(-1);
  const trees = rawTrees.map((raw, t) => convertTree(raw, `trees[${t}]`, numFeature, maxCode));
  return {
    objective: link.objective,
    outputs,
    baseMargin: baseMargin(param.base_score, outputs, link.logit, objectiveName),
    trees,
    treeOutput: Int32Array.from(treeOutput),
    featureNames: featureNames(learner.feature_names, numFeature),
    categoryCounts: categoryCounts(learner.feature_types, maxCode, options.categoryCounts),
  };
}

/**
 * XGBoost objectives by the Cairn objective they score as; `logit` when base_score is stored as a
 * probability. binary:logitraw and reg:logistic share binary:logistic's margin, so Cairn's 'binary'
 * (probability of class 1) fits them. Softmax base_score is already a margin (XGBoost 1.x–3.1).
 */
const OBJECTIVES: Record<string, { objective: EnsembleObjective; logit: boolean } | undefined> = {
  'binary:logistic': { objective: 'binary', logit: true },
  'binary:logitraw': { objective: 'binary', logit: true },
  'reg:logistic': { objective: 'binary', logit: true },
  'multi:softprob': { objective: 'multiclass', logit: false },
  'multi:softmax': { objective: 'multiclass', logit: false },
  'reg:squarederror': { objective: 'regression', logit: false },
  'reg:linear': { objective: 'regression', logit: false },
  'reg:absoluteerror': { objective: 'regression', logit: false },
  'reg:pseudohubererror': { objective: 'regression', logit: false },
  'reg:squaredlogerror': { objective: 'regression', logit: false },
};

/**
 * One XGBoost tree in Cairn's flat format, keeping only nodes reachable from the root (pruned
 * nodes stay in XGBoost's arrays). Records in maxCode the largest category code each feature's
 * splits name.
 */
function convertTree(raw: unknown, path: string, numFeature: number, maxCode: Int32Array): Tree {
  const t = object(raw, path);
  const tp = object(t.tree_param, `${path}.tree_param`);
  if (count(tp.size_leaf_vector ?? 0, `${path}.tree_param.size_leaf_vector`) > 1) {
    unsupported('vector-leaf trees (multi_strategy "multi_output_tree")');
  }
  const n = count(tp.num_nodes, `${path}.tree_param.num_nodes`);
  if (n < 1) invalid(`'${path}.tree_param.num_nodes' is 0`);
  const left = integers(t.left_children, `${path}.left_children`, n);
  const right = integers(t.right_children, `${path}.right_children`, n);
  const split = integers(t.split_indices, `${path}.split_indices`, n);
  const cond = numbers(t.split_conditions, `${path}.split_conditions`, n);
  const defaultLeft = flags(t.default_left, `${path}.default_left`, n);
  const hess = numbers(t.sum_hessian, `${path}.sum_hessian`, n);
  const loss = numbers(t.loss_changes, `${path}.loss_changes`, n);
  const weights =
    t.base_weights === undefined ? undefined : numbers(t.base_weights, `${path}.base_weights`, n);
  const splitType = t.split_type === undefined ? undefined : integers(t.split_type, `${path}.split_type`, n);
  const sets = categorySets(t, path, n);

  // Preorder numbering from the root; a node met twice means the arrays do not form a tree.
  const order: number[] = [];
  const index = new Int32Array(n).fill(-1);
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (index[i] !== -1) invalid(`'${path}' reaches node ${i} twice; the child arrays do not form a tree`);
    index[i] = order.length;
    order.push(i);
    if (left[i] === -1 && right[i] === -1) continue;
    if (!(left[i] > 0 && left[i] < n && right[i] > 0 && right[i] < n)) {
      invalid(
        `'${path}' node ${i} has children ${left[i]}, ${right[i]}; expected two of 1..${n - 1}, or -1, -1 for a leaf`,
      );
    }
    stack.push(right[i], left[i]);
  }

  const m = order.length;
  const out = {
    left: new Int32Array(m).fill(-1),
    right: new Int32Array(m).fill(-1),
    feature: new Int32Array(m).fill(-1),
    threshold: new Float64Array(m),
    defaultLeft: new Uint8Array(m),
    catOffsets: new Int32Array(m + 1),
    value: new Float64Array(m),
    cover: new Float64Array(m),
    gain: new Float64Array(m),
  };
  const codes: number[] = [];
  order.forEach((i, q) => {
    out.cover[q] = Math.fround(hess[i]);
    out.catOffsets[q] = codes.length;
    if (left[i] === -1) {
      if (!Number.isFinite(cond[i])) invalid(`'${path}.split_conditions[${i}]' (a leaf value) is ${cond[i]}`);
      out.value[q] = Math.fround(cond[i]);
      return;
    }
    const f = split[i];
    if (f < 0 || f >= numFeature) {
      invalid(`'${path}.split_indices[${i}]' is ${f}; the model has ${numFeature} features`);
    }
    out.feature[q] = f;
    out.value[q] = weights === undefined ? 0 : Math.fround(weights[i]);
    out.gain[q] = loss[i]!;
    out.left[q] = index[left[i]]!;
    out.right[q] = index[right[i]]!;
    out.defaultLeft[q] = defaultLeft[i]!;
    const set = splitType !== undefined && splitType[i] === 1 ? sets.get(i) : undefined;
    if (splitType !== undefined && splitType[i] === 1 && set === undefined) {
      invalid(`'${path}' node ${i} is a categorical split missing from 'categories_nodes'`);
    }
    if (set === undefined) {
      if (Number.isNaN(cond[i])) invalid(`'${path}.split_conditions[${i}]' (a numeric threshold) is NaN`);
      out.threshold[q] = float32Threshold(Math.fround(cond[i]));
    } else if (set.length === 0) {
      // Nothing is chosen: every category goes left, which a numeric test against +∞ also does.
      out.threshold[q] = Infinity;
    } else {
      // XGBoost sends the listed categories right and all others — including codes above any it
      // lists — left. Cairn sends a node's set left, so the children swap and so does the
      // default; then every valid code goes where XGBoost sends it, whatever the category count.
      out.left[q] = index[right[i]]!;
      out.right[q] = index[left[i]]!;
      out.defaultLeft[q] = 1 - defaultLeft[i];
      for (const code of set) codes.push(code);
      maxCode[f] = Math.max(maxCode[f], set[set.length - 1]);
    }
  });
  out.catOffsets[m] = codes.length;
  return { ...out, catCodes: Int32Array.from(codes) };
}

/** Node → its sorted category codes, from XGBoost's categories / _nodes / _segments / _sizes. */
function categorySets(t: Json, path: string, n: number): Map<number, number[]> {
  const sets = new Map<number, number[]>();
  if (t.categories_nodes === undefined) return sets;
  const nodes = integers(t.categories_nodes, `${path}.categories_nodes`);
  const segments = integers(t.categories_segments, `${path}.categories_segments`, nodes.length);
  const sizes = integers(t.categories_sizes, `${path}.categories_sizes`, nodes.length);
  const categories = integers(t.categories, `${path}.categories`);
  nodes.forEach((node, k) => {
    const start = segments[k];
    const end = start + sizes[k];
    if (node < 0 || node >= n || start < 0 || end > categories.length || end < start) {
      invalid(`'${path}' categorical entry ${k} (node ${node}, segment ${start}..${end}) is out of range`);
    }
    const set = Array.from(new Set(categories.slice(start, end))).sort((a, b) => a - b);
    if (set.length > 0 && set[0] < 0) invalid(`'${path}.categories' holds a negative code ${set[0]}`);
    sets.set(node, set);
  });
  return sets;
}

/** Per-output starting margins from base_score: a number, "5E-1", or XGBoost ≥ 3.1's "[a,b,c]". */
function baseMargin(raw: unknown, outputs: number, logit: boolean, objectiveName: string): Float64Array {
  const path = 'learner_model_param.base_score';
  const values =
    typeof raw === 'string' && raw.trim().startsWith('[')
      ? raw
          .trim()
          .slice(1, -1)
          .split(',')
          .map((s) => parseNumber(s.trim(), path))
      : Array.isArray(raw)
        ? Array.from(numbers(raw, path))
        : [parseNumber(raw, path)];
  if (values.length !== 1 && values.length !== outputs) {
    invalid(`'${path}' has ${values.length} values; the model has ${outputs} output(s)`);
  }
  const margins = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) {
    const b = Math.fround(values[values.length === 1 ? 0 : k]);
    if (!logit) {
      if (!Number.isFinite(b)) invalid(`'${path}' is ${b}`);
      margins[k] = b;
      continue;
    }
    if (!(b > 0 && b < 1)) {
      invalid(`'${path}' is ${b}; objective '${objectiveName}' needs a probability in (0, 1)`);
    }
    // XGBoost's ProbToMargin in float32: -logf(1/p - 1).
    margins[k] = Math.fround(-Math.log(Math.fround(Math.fround(1 / b) - 1)));
  }
  return margins;
}

function featureNames(raw: unknown, numFeature: number): string[] {
  const names = raw === undefined ? [] : list(raw, 'learner.feature_names');
  if (names.length === 0) return Array.from({ length: numFeature }, (_, j) => `f${j}`);
  if (names.length !== numFeature) {
    invalid(`'learner.feature_names' has ${names.length} names; the model has ${numFeature} features`);
  }
  return names.map((name, j) => text(name, `learner.feature_names[${j}]`));
}

function categoryCounts(rawTypes: unknown, maxCode: Int32Array, given?: ArrayLike<number>): Int32Array {
  const types = rawTypes === undefined ? [] : list(rawTypes, 'learner.feature_types');
  const counts = new Int32Array(maxCode.length);
  for (let f = 0; f < counts.length; f++) {
    if (given !== undefined) {
      const k = given[f];
      if (
        given.length !== counts.length ||
        k === undefined ||
        !Number.isInteger(k) ||
        k < 0 ||
        k <= maxCode[f]
      ) {
        const need = maxCode[f] + 1;
        throw new CairnError(
          'INVALID_ARGUMENT',
          `option 'categoryCounts' of importXgboostJson gives ${k} for feature ${f} (${given.length} given for ` +
            `${counts.length} features); the model's splits need at least ${need}`,
        );
      }
      counts[f] = k;
    } else if (maxCode[f] >= 0 || types[f] === 'c') {
      counts[f] = Math.max(1, maxCode[f] + 1);
    }
  }
  return counts;
}

/**
 * The smallest double T with Math.fround(T) ≥ t, for a float32 value t: `x < T` exactly when
 * `Math.fround(x) < t`, for every double x. T is the midpoint between t and the float32 below it,
 * or the next double above that midpoint when the midpoint itself rounds down.
 */
export function float32Threshold(t: number): number {
  if (Number.isNaN(t) || t === -Infinity) return t;
  // 2^128 - 2^103: halfway from the largest float32 to 2^128, the least magnitude that rounds to ±∞.
  const overflow = 3.4028235677973366e38;
  const below = float32Below(t);
  const mid = t === Infinity ? overflow : below === -Infinity ? -overflow : (below + t) / 2;
  return Math.fround(mid) >= t ? mid : nextDoubleUp(mid);
}

/** The largest float32 value below a finite float32 t (-∞ below the most negative one). */
function float32Below(t: number): number {
  if (t === 0) return -(2 ** -149);
  const f32 = new Float32Array([t]);
  const bits = new Uint32Array(f32.buffer);
  bits[0] = t > 0 ? bits[0] - 1 : bits[0] + 1;
  return f32[0];
}

function nextDoubleUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const f64 = new Float64Array([x]);
  const bits = new BigInt64Array(f64.buffer);
  bits[0] = x > 0 ? bits[0] + 1n : bits[0] - 1n;
  return f64[0];
}

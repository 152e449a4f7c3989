import type { FeatureMatrix } from '../matrix.js';
import { numberParam } from '../linear/validate.js';
import { invalid, jsonArray, jsonNames, jsonRecord, toPoints, toPointsLike } from '../cluster/points.js';
import { symmetricEigen } from './symmetric-eigen.js';

export interface PcaParams {
  /**
   * Components kept: an integer in [1, min(rows, features)], or a fraction in (0, 1) meaning the
   * fewest components whose explained variance reaches it. Default min(rows, features).
   */
  nComponents?: number;
  /** Scale each component to unit variance (decorrelated, unit-variance outputs). Default false. */
  whiten?: boolean;
}

const FORMAT = 'cairn-pca';

/**
 * Principal component analysis by eigen-decomposition of the features × features sample covariance
 * (Jacobi): one pass over the rows, then work independent of the row count, which suits tall tables.
 * Features are centred, not scaled — standardise first when units differ. Component signs follow
 * scikit-learn's rule (each component's largest-magnitude score is positive), so outputs match.
 */
export function fitPca(X: FeatureMatrix, params: PcaParams = {}): PcaModel {
  const where = 'fitPca';
  const whiten = params.whiten ?? false;
  const P = toPoints(X, where, 2);
  const { n, d } = P;
  const limit = Math.min(n, d);
  const requested = numberParam(where, 'nComponents', params.nComponents, limit, 0, limit);
  if (!(requested > 0) || (requested >= 1 && !Number.isInteger(requested))) {
    throw invalid(
      where,
      `'nComponents' is ${requested}; expected an integer in [1, ${limit}] or a fraction in (0, 1)`,
    );
  }
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const column = X.data.subarray(j * n, (j + 1) * n);
    let s = 0;
    for (let i = 0; i < n; i++) s += column[i];
    mean[j] = s / n;
  }
  // Covariance from centred columns: X is column-major, so each entry is a dot product of two contiguous columns.
  const centred = new Float64Array(n * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) centred[j * n + i] = X.data[j * n + i] - mean[j];
  const cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    const ca = centred.subarray(a * n, (a + 1) * n);
    for (let b = 0; b <= a; b++) {
      const cb = centred.subarray(b * n, (b + 1) * n);
      let s = 0;
      for (let i = 0; i < n; i++) s += ca[i] * cb[i];
      cov[a * d + b] = cov[b * d + a] = s / (n - 1);
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  let total = 0;
  for (let j = 0; j < d; j++) total += Math.max(values[j], 0);
  let k = requested;
  if (requested < 1) {
    let cumulative = 0;
    k = limit;
    for (let c = 0; c < limit; c++) {
      cumulative += Math.max(values[c], 0) / total;
      if (cumulative >= requested - 1e-12) {
        k = c + 1;
        break;
      }
    }
  }
  const components = vectors.slice(0, k * d);
  for (let c = 0; c < k; c++) {
    let largest = 0;
    for (let i = 0; i < n; i++) {
      let score = 0;
      for (let j = 0; j < d; j++) score += centred[j * n + i] * components[c * d + j];
      if (Math.abs(score) > Math.abs(largest)) largest = score;
    }
    if (largest < 0) for (let j = 0; j < d; j++) components[c * d + j] = -components[c * d + j];
  }
  const explained = Float64Array.from(values.subarray(0, k), (v) => Math.max(v, 0));
  const ratio = Float64Array.from(explained, (v) => (total > 0 ? v / total : 0));
  return PcaModel.create([...X.names], mean, components, explained, ratio, whiten, n);
}

export interface PcaModelJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  mean: number[];
  /** Row-major k × features, unit rows. */
  components: number[];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  whiten: boolean;
  rows: number;
}

/** A fitted PCA: projects rows onto its components (and back). */
export class PcaModel {
  readonly nComponents: number;

  private constructor(
    readonly names: readonly string[],
    private readonly meanData: Float64Array,
    private readonly componentData: Float64Array,
    private readonly explained: Float64Array,
    private readonly ratio: Float64Array,
    readonly whiten: boolean,
    /** Training rows. */
    readonly rows: number,
  ) {
    this.nComponents = explained.length;
  }

  /** @internal used by fitPca and fromJSON. */
  static create(
    names: string[],
    mean: Float64Array,
    components: Float64Array,
    explained: Float64Array,
    ratio: Float64Array,
    whiten: boolean,
    rows: number,
  ): PcaModel {
    return new PcaModel(names, mean, components, explained, ratio, whiten, rows);
  }

  /** Feature means of the training rows; a copy. */
  get mean(): Float64Array {
    return Float64Array.from(this.meanData);
  }

  /** Principal axes, row-major nComponents × features (unit vectors, by decreasing variance); a copy. */
  get components(): Float64Array {
    return Float64Array.from(this.componentData);
  }

  /** Variance (sample, n − 1) along each component; a copy. */
  get explainedVariance(): Float64Array {
    return Float64Array.from(this.explained);
  }

  /** Share of the total variance along each component; a copy. */
  get explainedVarianceRatio(): Float64Array {
    return Float64Array.from(this.ratio);
  }

  /** Names of the output columns: pc1, pc2, … */
  get outputNames(): string[] {
    return Array.from({ length: this.nComponents }, (_, c) => `pc${c + 1}`);
  }

  /** Component scores of the rows of X, as a rows × nComponents FeatureMatrix (pc1, pc2, …). */
  transform(X: FeatureMatrix): FeatureMatrix {
    const P = toPointsLike(this.names, X, 'PcaModel.transform');
    const { n, d, data } = P;
    const k = this.nComponents;
    const out = new Float64Array(n * k);
    for (let c = 0; c < k; c++) {
      const scale = this.whiten ? 1 / Math.sqrt(this.explained[c] || 1) : 1;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (data[i * d + j] - this.meanData[j]) * this.componentData[c * d + j];
        out[c * n + i] = s * scale;
      }
    }
    return { rows: n, cols: k, data: out, names: this.outputNames, categoryCounts: new Int32Array(k) };
  }

  /** Rows back in feature space from their component scores (the best rank-k approximation of X). */
  inverseTransform(Z: FeatureMatrix): FeatureMatrix {
    const k = this.nComponents;
    if (Z.cols !== k) throw invalid('PcaModel.inverseTransform', `Z has ${Z.cols} columns; expected ${k}`);
    const n = Z.rows;
    const d = this.names.length;
    const out = new Float64Array(n * d);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) {
        let s = this.meanData[j];
        for (let c = 0; c < k; c++) {
          const scale = this.whiten ? Math.sqrt(this.explained[c]) : 1;
          s += Z.data[c * n + i] * scale * this.componentData[c * d + j];
        }
        out[j * n + i] = s;
      }
    }
    return { rows: n, cols: d, data: out, names: [...this.names], categoryCounts: new Int32Array(d) };
  }

  toJSON(): PcaModelJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      mean: Array.from(this.meanData),
      components: Array.from(this.componentData),
      explainedVariance: Array.from(this.explained),
      explainedVarianceRatio: Array.from(this.ratio),
      whiten: this.whiten,
      rows: this.rows,
    };
  }

  static fromJSON(json: unknown): PcaModel {
    const where = 'PcaModel.fromJSON';
    const record = jsonRecord(where, json, FORMAT, 1);
    const names = jsonNames(where, record);
    const d = names.length;
    const explained = Float64Array.from(jsonArray(where, record, 'explainedVariance'));
    const k = explained.length;
    return PcaModel.create(
      names,
      Float64Array.from(jsonArray(where, record, 'mean', d)),
      Float64Array.from(jsonArray(where, record, 'components', k * d)),
      explained,
      Float64Array.from(jsonArray(where, record, 'explainedVarianceRatio', k)),
      record.whiten === true,
      Number(record.rows),
    );
  }
}

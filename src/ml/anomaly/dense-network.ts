import type { Random } from '../../core/random.js';

/**
 * A small fully connected network on typed arrays: hidden layers with ReLU or tanh, a linear
 * output layer, mean squared error, Adam (Kingma & Ba 2015). Batches are row-major (rows × width).
 * Weights of layer l are row-major (inputs × outputs). `Float32Array` storage halves memory and is
 * what a float32 network gives elsewhere; arithmetic is in doubles either way (JavaScript's).
 */
export type Activation = 'relu' | 'tanh';
export type Precision = 'float32' | 'float64';
type Buffer = Float32Array | Float64Array;

export interface DenseNetwork {
  /** Widths: input, hidden…, output. */
  sizes: number[];
  activation: Activation;
  weights: Buffer[];
  biases: Buffer[];
}

function allocate(precision: Precision, length: number): Buffer {
  return precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** He-uniform weights for ReLU, Glorot-uniform for tanh; zero biases. */
export function initNetwork(
  sizes: number[],
  activation: Activation,
  precision: Precision,
  random: Random,
): DenseNetwork {
  const weights: Buffer[] = [];
  const biases: Buffer[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const fanIn = sizes[l - 1];
    const fanOut = sizes[l];
    const limit = activation === 'relu' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    const w = allocate(precision, fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * random.next() - 1) * limit;
    weights.push(w);
    biases.push(allocate(precision, fanOut));
  }
  return { sizes, activation, weights, biases };
}

/**
 * Forward pass of `rows` rows of x; returns every layer's activations (index 0 is x itself,
 * the last the output), which backprop needs.
 */
export function forward(net: DenseNetwork, x: Float64Array, rows: number): Float64Array[] {
  const acts: Float64Array[] = [x];
  const L = net.weights.length;
  for (let l = 0; l < L; l++) {
    const inW = net.sizes[l];
    const outW = net.sizes[l + 1];
    const W = net.weights[l];
    const b = net.biases[l];
    const a = acts[l];
    const z = new Float64Array(rows * outW);
    for (let r = 0; r < rows; r++) {
      const zr = r * outW;
      for (let o = 0; o < outW; o++) z[zr + o] = b[o];
      const ar = r * inW;
      for (let i = 0; i < inW; i++) {
        const v = a[ar + i];
        if (v === 0) continue;
        const wi = i * outW;
        for (let o = 0; o < outW; o++) z[zr + o] += v * W[wi + o];
      }
    }
    if (l < L - 1) {
      if (net.activation === 'relu') for (let t = 0; t < z.length; t++) z[t] = z[t] > 0 ? z[t] : 0;
      else for (let t = 0; t < z.length; t++) z[t] = Math.tanh(z[t]);
    }
    acts.push(z);
  }
  return acts;
}

/** Adam's moment estimates, one pair per weight and bias array. */
export interface AdamState {
  step: number;
  mw: Float64Array[];
  vw: Float64Array[];
  mb: Float64Array[];
  vb: Float64Array[];
}

export function initAdam(net: DenseNetwork): AdamState {
  return {
    step: 0,
    mw: net.weights.map((w) => new Float64Array(w.length)),
    vw: net.weights.map((w) => new Float64Array(w.length)),
    mb: net.biases.map((b) => new Float64Array(b.length)),
    vb: net.biases.map((b) => new Float64Array(b.length)),
  };
}

/**
 * One Adam step on the mean squared error between the network's output for batch x (rows × in)
 * and target t (rows × out); returns the batch loss before the step.
 */
export function trainStep(
  net: DenseNetwork,
  adam: AdamState,
  x: Float64Array,
  t: Float64Array,
  rows: number,
  learningRate: number,
): number {
  const acts = forward(net, x, rows);
  const L = net.weights.length;
  const out = acts[L];
  const outW = net.sizes[L];
  let loss = 0;
  let delta = new Float64Array(rows * outW);
  const scale = 2 / (rows * outW);
  for (let i = 0; i < delta.length; i++) {
    const e = out[i] - t[i];
    loss += e * e;
    delta[i] = scale * e;
  }
  adam.step++;
  const b1 = 0.9;
  const b2 = 0.999;
  const correction1 = 1 - b1 ** adam.step;
  const correction2 = 1 - b2 ** adam.step;
  for (let l = L - 1; l >= 0; l--) {
    const inW = net.sizes[l];
    const oW = net.sizes[l + 1];
    const a = acts[l];
    const W = net.weights[l];
    const gW = new Float64Array(inW * oW);
    const gb = new Float64Array(oW);
    for (let r = 0; r < rows; r++) {
      const dr = r * oW;
      for (let o = 0; o < oW; o++) gb[o] += delta[dr + o];
      const ar = r * inW;
      for (let i = 0; i < inW; i++) {
        const v = a[ar + i];
        if (v === 0) continue;
        const wi = i * oW;
        for (let o = 0; o < oW; o++) gW[wi + o] += v * delta[dr + o];
      }
    }
    if (l > 0) {
      // Gradient for the layer below, through its activation (a = acts[l] is that layer's output).
      const below = new Float64Array(rows * inW);
      for (let r = 0; r < rows; r++) {
        const dr = r * oW;
        const br = r * inW;
        for (let i = 0; i < inW; i++) {
          const av = a[br + i];
          const slope = net.activation === 'relu' ? (av > 0 ? 1 : 0) : 1 - av * av;
          if (slope === 0) continue;
          let s = 0;
          const wi = i * oW;
          for (let o = 0; o < oW; o++) s += W[wi + o] * delta[dr + o];
          below[br + i] = s * slope;
        }
      }
      adamUpdate(W, gW, adam.mw[l], adam.vw[l], learningRate, correction1, correction2);
      adamUpdate(net.biases[l], gb, adam.mb[l], adam.vb[l], learningRate, correction1, correction2);
      delta = below;
    } else {
      adamUpdate(W, gW, adam.mw[l], adam.vw[l], learningRate, correction1, correction2);
      adamUpdate(net.biases[l], gb, adam.mb[l], adam.vb[l], learningRate, correction1, correction2);
    }
  }
  return loss / (rows * outW);
}

function adamUpdate(
  p: Buffer,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < p.length; i++) {
    m[i] = 0.9 * m[i] + 0.1 * g[i];
    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
    p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData, SKLEARN } from '../../../test/cluster-data.js';
import { takeRows } from '../matrix.js';
import { trustworthiness } from '../metrics/trustworthiness.js';
import { fitTsne, TsneModel } from './tsne.js';
import { calibrateRow } from './tsne-affinities.js';

describe('t-SNE', () => {
  it('digits: trustworthiness (k = 5) within 0.01 of scikit-learn', async () => {
    const { X } = await loadClusterData('digits');
    const model = fitTsne(X, { seed: 0 });
    const score = trustworthiness(X, model.embedding, 5);
    const ref = SKLEARN.tsne.digits.trustworthiness_k5;
    assert.ok(score >= ref - 0.01, `trustworthiness ${score} vs scikit-learn ${ref}`);
    assert.ok(model.klDivergence > 0 && model.klDivergence < 1.5, `KL ${model.klDivergence}`);
  });

  it('same seed, same embedding; reloaded from JSON it places rows the same way', async () => {
    const { X } = await loadClusterData('iris');
    const a = fitTsne(X, { perplexity: 20, maxIterations: 400, seed: 3 });
    const b = fitTsne(X, { perplexity: 20, maxIterations: 400, seed: 3 });
    assert.deepEqual(a.embedding, b.embedding);
    const rows = takeRows(X, [0, 60, 120]);
    const loaded = TsneModel.fromJSON(JSON.parse(JSON.stringify(a)));
    assert.deepEqual(loaded.transform(rows), a.transform(rows));
    assert.deepEqual(loaded.embedding, a.embedding);
  });

  it('places a training row near its own position', async () => {
    const { X } = await loadClusterData('iris');
    const model = fitTsne(X, { perplexity: 20, maxIterations: 400 });
    const E = model.embedding;
    const placed = model.transform(X);
    let spread = 0;
    for (let i = 0; i < 150; i++) spread = Math.max(spread, Math.abs(E.data[i]));
    let near = 0;
    for (let i = 0; i < 150; i++) {
      const dx = placed.data[i] - E.data[i];
      const dy = placed.data[150 + i] - E.data[150 + i];
      if (Math.hypot(dx, dy) < spread / 5) near++;
    }
    assert.ok(near >= 140, `${near} of 150 placed within a fifth of the spread`);
  });

  it('calibrates each row to the asked perplexity', () => {
    const distances = Float64Array.from({ length: 90 }, (_, j) => 0.1 * j + 0.05 * Math.sin(j));
    const p = new Float64Array(90);
    calibrateRow(distances, 30, p);
    let entropy = 0;
    for (const v of p) if (v > 0) entropy -= v * Math.log(v);
    assert.ok(Math.abs(Math.exp(entropy) - 30) < 1e-3, `perplexity ${Math.exp(entropy)}`);
  });

  it('refuses a perplexity not below the row count', async () => {
    const { X } = await loadClusterData('iris');
    assert.throws(
      () => fitTsne(X, { perplexity: 150 }),
      /fitTsne: 'perplexity' is 150; it must be below the row count 150/,
    );
  });
});

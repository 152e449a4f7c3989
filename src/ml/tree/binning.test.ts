import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadHoldout } from '../../../test/ml-data.js';
import { Random } from '../../core/random.js';
import { featureMatrix } from '../matrix.js';
import { binMatrix, fitBins, quantileCuts } from './binning.js';
import { buildBinIndex } from './histogram.js';
import { weightedMedian, weightedQuantile } from './quantile.js';

test('few distinct values get a bin each, cut halfway between neighbours', () => {
  assert.deepEqual(Array.from(quantileCuts(Float64Array.of(1, 1, 2, 4, 4, 4), 255)), [1.5, 3]);
  assert.deepEqual(Array.from(quantileCuts(Float64Array.of(5, 5, 5), 255)), []);
});

test('many distinct values: about equal counts per bin, a heavy value alone in its bin', () => {
  const values = new Float64Array(10_000);
  for (let i = 0; i < values.length; i++) values[i] = i < 4_000 ? 0 : i;
  const cuts = quantileCuts(values, 16);
  assert.ok(cuts.length <= 15);
  assert.ok(cuts[0] > 0 && cuts[0] < 4_001, 'zero, 40 % of the rows, ends the first bin');
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values.subarray(4_000)) counts[cuts.filter((c) => c <= v).length]++;
  const rest = counts.slice(1);
  assert.ok(Math.max(...rest) <= 2 * Math.min(...rest), `bin counts ${rest.join(', ')}`);
});

test('California: missing values in bin 0, bins agree with cuts, the category keeps its codes', async () => {
  const { train } = await loadHoldout('california');
  const X = train.X;
  const mapper = fitBins(X, 255, new Random(1));
  const bins = binMatrix(X, mapper);
  const bedrooms = X.names.indexOf('total_bedrooms');
  const ocean = X.names.indexOf('ocean_proximity');
  assert.equal(mapper.categorical[ocean], 1);
  assert.equal(mapper.nBins[ocean], X.categoryCounts[ocean] + 1);
  for (let r = 0; r < X.rows; r++) {
    const x = X.data[bedrooms * X.rows + r];
    const b = bins[bedrooms * X.rows + r];
    if (Number.isNaN(x)) {
      assert.equal(b, 0);
      continue;
    }
    const cuts = mapper.cuts[bedrooms];
    // Bin b holds x exactly when cuts[b − 2] ≤ x < cuts[b − 1]: "bin ≤ t" is "x < cuts[t − 1]".
    if (b >= 2) assert.ok(cuts[b - 2] <= x);
    if (b - 1 < cuts.length) assert.ok(x < cuts[b - 1]);
    const code = X.data[ocean * X.rows + r];
    assert.equal(mapper.binCodes[ocean][bins[ocean * X.rows + r]], code);
  }
  const index = buildBinIndex(bins, X.rows, mapper.offsets);
  assert.equal(index[5 * X.cols + ocean], mapper.offsets[ocean] + bins[ocean * X.rows + 5]);
});

test('more categories than bins: the rarest share an "other" bin; unseen codes are missing', () => {
  const codes = Float64Array.from({ length: 1000 }, (_, i) => (i < 900 ? i % 3 : 3 + (i % 5)));
  codes[0] = 99;
  codes[1] = 2.5;
  const X = featureMatrix([codes], ['code'], [8]);
  const mapper = fitBins(X, 4, new Random(1));
  const bins = binMatrix(X, mapper);
  assert.equal(mapper.otherBin[0], 4);
  assert.deepEqual(Array.from(mapper.binCodes[0]), [-1, 0, 1, 2, -1]);
  assert.equal(bins[0], 0, 'code 99 is outside 0..7');
  assert.equal(bins[1], 0, 'code 2.5 is not whole');
  assert.equal(bins[900], 4);
});

test('quantiles: interpolated without weights, cumulative with weights', () => {
  assert.equal(weightedMedian(Float64Array.of(5, 1, 3, 2), null), 2.5);
  assert.equal(weightedQuantile(Float64Array.of(10, 1, 7, 3, 5), null, 0.9), 8.8);
  assert.equal(weightedMedian(Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 5)), 3);
  assert.equal(weightedMedian(Float64Array.of(1, 2, 3), Float64Array.of(3, 1, 1)), 1);
});

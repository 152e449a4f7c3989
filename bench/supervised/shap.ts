// Benchmark: TreeSHAP contributions per row, Cairn against XGBoost's pred_contribs (both exact
// path-dependent TreeSHAP), on one XGBoost model of 300 trees of depth 6 trained on California
// housing (bench/supervised/shap_xgboost.py, Debian's /usr/bin/python3). Cairn imports the same
// model, explains the same rows with its lookup tables and with the tree walk, one thread each, and
// checks its values against XGBoost's.
// Usage: npx tsx bench/supervised/shap.ts [--rows 2000] [--json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { featureMatrix, type FeatureMatrix } from '../../src/ml/matrix.js';
import type { TreeEnsemble } from '../../src/ml/tree/ensemble.js';
import { treeShapExplainer, type ShapOptions } from '../../src/ml/tree/shap.js';
import { importXgboostJson } from '../../src/ml/tree/xgboost-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'bench/out/shap');

function readCsv(file: string, header: boolean): { names: string[]; rows: number[][] } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const names = header ? lines.shift()!.split(',') : [];
  return { names, rows: lines.map((line) => line.split(',').map((v) => (v === '' ? NaN : Number(v)))) };
}

/**
 * Explains every row, best of three passes, after a first row timed on its own (it builds the
 * tables, once per model); returns seconds and the contributions, row after row.
 */
function timeCairn(
  model: TreeEnsemble,
  X: FeatureMatrix,
  options: ShapOptions,
): { buildSeconds: number; seconds: number; phi: Float64Array } {
  const explain = treeShapExplainer(model, options);
  const stride = (X.cols + 1) * model.outputs;
  const phi = new Float64Array(X.rows * stride);
  const row = new Float64Array(X.cols);
  for (let j = 0; j < X.cols; j++) row[j] = X.data[j * X.rows];
  const built = performance.now();
  explain(row, phi.subarray(0, stride));
  const buildSeconds = (performance.now() - built) / 1000;
  let seconds = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now();
    for (let r = 0; r < X.rows; r++) {
      for (let j = 0; j < X.cols; j++) row[j] = X.data[j * X.rows + r];
      explain(row, phi.subarray(r * stride, (r + 1) * stride));
    }
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  return { buildSeconds, seconds, phi };
}

function main(): void {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '2000' }, json: { type: 'boolean', default: false } },
  });
  mkdirSync(OUT, { recursive: true });
  const loadBefore = os.loadavg()[0];
  const xgboost = JSON.parse(
    execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'shap_xgboost.py'), OUT, values.rows], {
      encoding: 'utf8',
    }),
  ) as { seconds: number; rows: number; xgboost: string };
  const model = importXgboostJson(readFileSync(path.join(OUT, 'shap_model.json'), 'utf8'));
  const { names, rows } = readCsv(path.join(OUT, 'shap_rows.csv'), true);
  const X = featureMatrix(
    names.map((_, j) => rows.map((r) => r[j])),
    names,
  );
  const reference = readCsv(path.join(OUT, 'shap_contribs.csv'), false).rows.flat();
  const methods: { name: string; options: ShapOptions }[] = [
    { name: 'Cairn, lookup tables', options: { tables: true } },
    { name: 'Cairn, tree walk', options: { tables: false } },
  ];
  // XGBoost computes in float32: differences are measured relative to the largest contribution.
  const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const results = methods.map(({ name, options }) => {
    const { buildSeconds, seconds, phi } = timeCairn(model, X, options);
    let maxDiff = 0;
    for (let i = 0; i < phi.length; i++) maxDiff = Math.max(maxDiff, Math.abs(phi[i] - reference[i]));
    return {
      name,
      buildMs: buildSeconds * 1000,
      usPerRow: (seconds * 1e6) / X.rows,
      relativeDiff: maxDiff / scale,
    };
  });
  const xgbPerRow = (xgboost.seconds * 1e6) / xgboost.rows;
  const loadAfter = os.loadavg()[0];
  if (values.json) {
    console.log(JSON.stringify({ rows: X.rows, xgboost: { ...xgboost, usPerRow: xgbPerRow }, results }));
    return;
  }
  console.log(
    `${new Date().toISOString().slice(0, 16)} · Node ${process.version} · XGBoost ${xgboost.xgboost} · ` +
      `${os.cpus().length} cores · load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} · ` +
      `${model.trees.length} trees, ${X.rows} rows, ${X.cols} features`,
  );
  console.log('| explainer | µs a row | / XGBoost | first row (ms) | max |Δ| from XGBoost / max |φ| |');
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.usPerRow.toFixed(1)} | ${(r.usPerRow / xgbPerRow).toFixed(2)} | ${r.buildMs.toFixed(0)} | ${r.relativeDiff.toExponential(1)} |`,
    );
  }
  console.log(`| XGBoost pred_contribs, 1 thread (reference) | ${xgbPerRow.toFixed(1)} | 1.00 | – | – |`);
}

main();

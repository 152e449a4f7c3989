import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform } from '../src/platform.js';
import { buildServer } from '../src/server/app.js';
import { adminAuth, DATA, ROOT, tempDir } from './support.js';

const run = promisify(execFile);
const CAIRN = path.join(ROOT, 'bin', 'cairn.js');
const IRIS = path.join(DATA, 'iris.csv');
const WBC = path.join(DATA, 'odds_wbc.csv');

async function cairnJson<T>(home: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [CAIRN, '--home', home, ...args, '--json'], { cwd: ROOT });
  return JSON.parse(stdout) as T;
}

/** A CSV's header and rows of strings (the files here have no quoted commas). */
function readCsv(file: string): { header: string[]; rows: string[][] } {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return { header: header.split(','), rows: lines.map((line) => line.split(',')) };
}

interface TrainJson {
  model: string;
  version: number;
  task: string;
  algorithm: string;
  metrics: Record<string, number>;
  details?: Record<string, unknown>;
}

describe('cairn train and predict for cluster, anomaly and impute specs', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'ws');
  const spec = (name: string, text: string) => {
    const file = path.join(tmp.dir, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  before(async () => {
    await cairnJson(home, 'ingest', IRIS, '--table', 'iris');
  });
  after(() => tmp.remove());

  test('cluster: cairn predict adds cluster, x and y; cairn score writes the same clusters', async () => {
    const file = spec(
      'segments',
      [
        'name: iris_segments',
        'task: cluster',
        'algorithm: gmm',
        'data: { table: iris }',
        'target: target',
        'features: { exclude: [target_name] }',
        'params: { k: 3, projection: pca }',
      ].join('\n'),
    );
    const report = await cairnJson<TrainJson>(home, 'train', file);
    assert.equal(report.task, 'cluster');
    assert.equal(report.algorithm, 'gmm');
    assert.ok(report.metrics.ari > 0.85, `ARI ${report.metrics.ari}`);
    for (const metric of ['silhouette', 'davies_bouldin', 'calinski_harabasz', 'nmi']) {
      assert.equal(typeof report.metrics[metric], 'number', metric);
    }
    const output = path.join(tmp.dir, 'segments.csv');
    const predicted = await cairnJson<{ rows: number; columns: string[] }>(
      home,
      'predict',
      'iris_segments',
      '--input',
      'iris',
      '--output',
      output,
    );
    assert.equal(predicted.rows, 150);
    const { header, rows } = readCsv(output);
    assert.deepEqual(header.slice(-3), ['cluster', 'x', 'y']);
    const cluster = rows.map((r) => r[header.indexOf('cluster')]);
    assert.deepEqual([...new Set(cluster)].sort(), ['0', '1', '2']);
    const scored = await cairnJson<{ rows: number; columns: string[] }>(
      home,
      'score',
      'iris_segments',
      '--table',
      'iris',
      '--into',
      'iris_segments_scored',
    );
    assert.equal(scored.rows, 150);
    assert.deepEqual(scored.columns.slice(-3), ['cluster', 'x', 'y']);
    const out = await cairnJson<{ rows: Record<string, unknown>[] }>(
      home,
      'query',
      'SELECT cluster FROM iris_segments_scored',
    );
    assert.deepEqual(
      out.rows.map((r) => String(r.cluster)),
      cluster,
    );
  });

  test('anomaly: a file in, anomaly_score and is_anomaly out, flagged share from contamination', async () => {
    const file = spec(
      'wbc',
      [
        'name: wbc',
        'algorithm: isolation_forest',
        `data: { file: ${JSON.stringify(WBC)} }`,
        'target: label_outlier',
        'params: { contamination: 0.05 }',
      ].join('\n'),
    );
    const report = await cairnJson<TrainJson>(home, 'train', file);
    assert.equal(report.task, 'anomaly');
    assert.ok(report.metrics.roc_auc > 0.9, `ROC-AUC ${report.metrics.roc_auc}`);
    const output = path.join(tmp.dir, 'wbc.csv');
    await cairnJson(home, 'predict', 'wbc', '--input', WBC, '--output', output);
    const { header, rows } = readCsv(output);
    assert.deepEqual(header.slice(-2), ['anomaly_score', 'is_anomaly']);
    const flags = rows.map((r) => Number(r[header.indexOf('is_anomaly')]));
    assert.ok(flags.every((f) => f === 0 || f === 1));
    const share = flags.filter((f) => f === 1).length / flags.length;
    assert.ok(Math.abs(share - 0.05) < 0.01, `flagged ${share}`);
  });

  test('impute: the output is the input with its gaps filled, header and observed cells unchanged', async () => {
    const input = path.join(tmp.dir, 'iris_gaps.csv');
    const { header, rows } = readCsv(IRIS);
    const blank = new Set(['sepal width (cm)', 'target_name']);
    const gappy = rows.map((r, i) => r.map((v, j) => (i % 9 === 4 && blank.has(header[j]) ? '' : v)));
    writeFileSync(input, [header, ...gappy].map((r) => r.join(',')).join('\n') + '\n');
    const file = spec(
      'fill',
      ['name: iris_fill', 'task: impute', 'algorithm: knn', `data: { file: ${JSON.stringify(input)} }`].join(
        '\n',
      ),
    );
    const report = await cairnJson<TrainJson>(home, 'train', file);
    assert.equal(report.metrics.filled_cells, 2 * gappy.filter((_, i) => i % 9 === 4).length);
    assert.ok(report.metrics.nrmse < report.metrics.nrmse_mean_fill);
    const output = path.join(tmp.dir, 'filled.csv');
    await cairnJson(home, 'predict', 'iris_fill', '--input', input, '--output', output);
    const filled = readCsv(output);
    assert.deepEqual(filled.header, header);
    const name = header.indexOf('target_name');
    const width = header.indexOf('sepal width (cm)');
    filled.rows.forEach((r, i) => {
      assert.ok(r[name] !== '' && r[width] !== '', `row ${i} is complete`);
      if (i % 9 !== 4) {
        assert.equal(r[name], rows[i][name]);
        assert.equal(Number(r[width]), Number(rows[i][width]));
      }
    });
    const right = filled.rows.filter((r, i) => i % 9 === 4 && r[name] === rows[i][name]).length;
    assert.ok(right >= 14, `${right} of 17 species filled right`);
  });

  test('POST /v1/models/:name/predict answers cluster and anomaly models row by row', async () => {
    const platform = await openPlatform({ home, logger: silentLogger });
    const app = await buildServer(platform, { logger: false, threads: 1 });
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const auth = await adminAuth(platform);
      const post = async (model: string, rows: unknown[]) => {
        const response = await fetch(`${base}/v1/models/${model}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ rows, version: 1 }),
        });
        assert.equal(response.status, 200, await response.clone().text());
        return ((await response.json()) as { predictions: Record<string, number | string>[] }).predictions;
      };
      const flower = {
        'sepal length (cm)': 5.1,
        'sepal width (cm)': 3.5,
        'petal length (cm)': 1.4,
        'petal width (cm)': 0.2,
      };
      const [segment] = await post('iris_segments', [flower]);
      assert.deepEqual(Object.keys(segment), ['cluster', 'x', 'y']);
      const { rows } = readCsv(path.join(tmp.dir, 'segments.csv'));
      assert.equal(String(segment.cluster), rows[0][6]);
      assert.ok(Math.abs(Number(segment.x) - Number(rows[0][7])) < 1e-9);
      const header = readCsv(WBC).header.filter((h) => h !== 'label_outlier');
      const first = readCsv(WBC).rows[0];
      const [scored] = await post('wbc', [Object.fromEntries(header.map((h, j) => [h, Number(first[j])]))]);
      assert.deepEqual(Object.keys(scored), ['anomaly_score', 'is_anomaly']);
      const { rows: wbc } = readCsv(path.join(tmp.dir, 'wbc.csv'));
      assert.ok(Math.abs(Number(scored.anomaly_score) - Number(wbc[0][31])) < 1e-9);
      const [gapless] = await post('iris_fill', [
        { ...flower, 'sepal width (cm)': null, target: 0, target_name: null },
      ]);
      assert.equal(gapless.target_name, 'setosa');
      assert.equal(gapless['sepal length (cm)'], 5.1);
      const width = Number(gapless['sepal width (cm)']);
      assert.ok(width > 2.5 && width < 4.5, `sepal width filled with ${width}`);
    } finally {
      await app.close();
      platform.close();
    }
  });
});

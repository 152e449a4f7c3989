import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CHURN_CSV, ROOT, tempDir } from './support.js';

const run = promisify(execFile);
const CAIRN = path.join(ROOT, 'bin', 'cairn.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'xgboost');

async function cairnJson<T>(home: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [CAIRN, '--home', home, ...args, '--json'], { cwd: ROOT });
  return JSON.parse(stdout) as T;
}

/** A CSV's rows as objects of strings (the files here have no quoted commas). */
function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])));
}

describe('cairn train, predict and models import-xgboost', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'ws');
  before(async () => {
    await cairnJson(home, 'ingest', CHURN_CSV, '--table', 'churn');
  });
  after(() => tmp.remove());

  test('train prints the promised JSON and predict writes input columns plus prediction and probability', async () => {
    const spec = path.join(tmp.dir, 'churn.yaml');
    writeFileSync(
      spec,
      'name: churn\ntask: binary\nalgorithm: gbdt\ndata: { table: churn }\ntarget: Churn\n',
    );
    const report = await cairnJson<{ model: string; version: number; metrics: Record<string, number> }>(
      home,
      'train',
      spec,
    );
    assert.equal(report.model, 'churn');
    assert.equal(report.version, 1);
    assert.ok(report.metrics.auc > 0.82, `AUC ${report.metrics.auc}`);
    const output = path.join(tmp.dir, 'scored.csv');
    const predicted = await cairnJson<{ rows: number }>(
      home,
      'predict',
      'churn',
      '--input',
      CHURN_CSV,
      '--output',
      output,
    );
    assert.equal(predicted.rows, 7043);
    const rows = readCsv(output);
    assert.equal(rows.length, 7043);
    assert.ok(['true', 'false'].includes(rows[0].prediction));
    const p = Number(rows[0].probability);
    assert.ok(p > 0 && p < 1);
  });

  test('an imported XGBoost model predicts what XGBoost predicted, to 1e-6', async () => {
    for (const fixture of ['breast_cancer_binary', 'california_regression']) {
      const name = fixture.replaceAll('_', '-');
      await cairnJson(
        home,
        'models',
        'import-xgboost',
        path.join(FIXTURES, `${fixture}.model.json`),
        '--name',
        name,
      );
      const input = path.join(FIXTURES, `${fixture}.csv`);
      const output = path.join(tmp.dir, `${fixture}.out.csv`);
      await cairnJson(home, 'predict', name, '--input', input, '--output', output);
      const rows = readCsv(output);
      const column = fixture.endsWith('binary') ? 'probability' : 'prediction';
      for (const row of rows) {
        const ours = Number(row[column]);
        const theirs = Number(row.pred_0);
        assert.ok(
          Math.abs(ours - theirs) <= 1e-6 * Math.max(1, Math.abs(theirs)),
          `${fixture}: ${ours} vs ${theirs}`,
        );
      }
    }
  });
});

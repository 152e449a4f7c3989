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

  test('models list, promote, rollback, lineage, show --html; a table that trained a production model is not dropped by accident', async () => {
    const spec = path.join(tmp.dir, 'churn2.yaml');
    writeFileSync(
      spec,
      'name: churn\nalgorithm: gbdt\ndata: { table: churn }\ntarget: Churn\nparams: { n_estimators: 40 }\n',
    );
    const second = await cairnJson<{ version: number }>(home, 'train', spec);
    type Change = { version: number; stage: string; archived: number[] };
    assert.deepEqual(await cairnJson<Change>(home, 'models', 'promote', 'churn', '1'), {
      model: 'churn',
      version: 1,
      stage: 'production',
      archived: [],
    });
    const promoted = await cairnJson<Change>(home, 'models', 'promote', 'churn', String(second.version));
    assert.deepEqual(promoted.archived, [1]);
    const listed = await cairnJson<{ versions: { name: string; version: number; stage: string }[] }>(
      home,
      'models',
      'list',
      'churn',
    );
    assert.deepEqual(
      listed.versions.map((v) => [v.version, v.stage]),
      [
        [1, 'archived'],
        [second.version, 'production'],
      ],
    );
    const back = await cairnJson<Change>(home, 'models', 'rollback', 'churn');
    assert.equal(back.version, 1);
    const lineage = await cairnJson<{
      versions: { version: number; data: { source: string }; sameDataAs: number | null }[];
    }>(home, 'models', 'lineage', 'churn');
    assert.equal(lineage.versions[1].sameDataAs, 1);
    assert.equal(lineage.versions[0].data.source, 'table:churn');
    const html = path.join(tmp.dir, 'card.html');
    const card = await cairnJson<{ version: number; stage: string }>(
      home,
      'models',
      'show',
      'churn',
      '--html',
      html,
    );
    assert.deepEqual([card.version, card.stage], [1, 'production']);
    assert.match(readFileSync(html, 'utf8'), /<svg[^>]*aria-label="ROC curve"/);
    await assert.rejects(
      run(process.execPath, [CAIRN, '--home', home, 'drop', 'churn'], { cwd: ROOT }),
      /table 'churn' trained production model\(s\) churn v1; drop it anyway with --force/,
    );
    const dropped = await cairnJson<{ dropped: boolean; warnings: string[] }>(
      home,
      'drop',
      'churn',
      '--force',
    );
    assert.equal(dropped.dropped, true);
    assert.match(dropped.warnings[0], /production model churn v1 was trained on table 'churn'/);
  });
});

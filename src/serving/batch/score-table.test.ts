import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHURN_CSV, DATA, tempWorkspace } from '../../../test/support.js';
import type { CairnError } from '../../core/errors.js';
import { WorkerPool } from '../../core/workers/pool.js';
import { loadModel } from '../../models/load.js';
import { ensureRegistry } from '../../models/registry.js';
import { predictionColumns } from '../../models/model.js';
import { withPredictions } from '../../models/predict.js';
import { parseSpec } from '../../models/spec.js';
import { trainModel } from '../../models/train.js';
import { readFrame } from '../../warehouse/frame-io.js';
import { ingest } from '../../warehouse/ingest/ingest.js';
import { committedChunks, findRun } from './score-runs.js';
import { scoreTable } from './score-table.js';

type Ws = Awaited<ReturnType<typeof tempWorkspace>>;
let ws: Ws;
before(async () => {
  ws = await tempWorkspace();
  await ensureRegistry(ws.db);
  await ingest(ws.db, { source: CHURN_CSV, table: 'churn' });
  await ingest(ws.db, { source: path.join(DATA, 'iris.csv'), table: 'iris' });
  const spec = { algorithm: 'gbdt', params: { n_estimators: 40 } };
  await trainModel(
    ws.db,
    ws.artifacts,
    parseSpec({ ...spec, name: 'churn', data: { table: 'churn' }, target: 'Churn' }),
  );
  await trainModel(
    ws.db,
    ws.artifacts,
    parseSpec({
      ...spec,
      name: 'iris',
      data: { table: 'iris' },
      target: 'target',
      features: { exclude: ['target_name'] },
    }),
  );
});
after(() => ws.dispose());

/** The same rows scored in one piece, as `cairn predict` does. */
async function predictedInOnePiece(model: string, table: string) {
  const frame = await readFrame(ws.db, `SELECT * FROM ${table}`);
  const scored = withPredictions(
    frame,
    predictionColumns(await loadModel(ws.db, ws.artifacts, model), frame),
  );
  return scored;
}

describe('batch scoring a table into a table', () => {
  test('chunked output equals one-piece prediction, row for row and in input order', async () => {
    const fractions: number[] = [];
    const report = await scoreTable(
      ws.db,
      ws.artifacts,
      { model: 'churn', table: 'churn', into: 'churn_scores', chunkRows: 1000 },
      { onProgress: (p) => fractions.push(p.fraction) },
    );
    assert.equal(report.rows, 7043);
    assert.equal(report.chunks, 8);
    assert.equal(report.resumedChunks, 0);
    assert.deepEqual(
      fractions,
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => k / 8),
    );
    assert.deepEqual(report.columns.slice(-2), ['prediction', 'probability']);
    const expected = await predictedInOnePiece('churn', 'churn');
    const got = await ws.db.rows('SELECT customerID, prediction, probability FROM churn_scores');
    const ids = expected.columns.find((c) => c.name === 'customerID')!;
    const probability = expected.columns.find((c) => c.name === 'probability')!;
    assert.equal(got.length, 7043);
    for (let i = 0; i < got.length; i++) {
      assert.equal(got[i].customerID, ids.kind === 'string' ? ids.dictionary[ids.codes[i]] : null);
      assert.equal(got[i].probability, probability.kind === 'float64' ? probability.values[i] : null);
    }
    const [schema] = await ws.db.rows(
      `SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = 'churn_scores'`,
    );
    assert.equal(schema.n, 21 + 2);
  });

  test('multiclass with a worker pool gives the same probabilities as one thread', async () => {
    const pool = new WorkerPool(2);
    try {
      await scoreTable(ws.db, ws.artifacts, { model: 'iris', table: 'iris', into: 'iris_scores' }, { pool });
    } finally {
      await pool.close();
    }
    const expected = await predictedInOnePiece('iris', 'iris');
    const got = await ws.db.rows('SELECT * FROM iris_scores');
    const names = expected.columns.filter((c) => c.name.startsWith('probability_')).map((c) => c.name);
    assert.equal(names.length, 3);
    for (const name of names) {
      const col = expected.columns.find((c) => c.name === name)!;
      assert.deepEqual(
        got.map((r) => r[name]),
        Array.from(col.kind === 'float64' ? col.values : []),
      );
    }
  });

  test('a cancelled run keeps its committed chunks and the next run resumes without duplicates', async () => {
    const controller = new AbortController();
    await assert.rejects(
      scoreTable(
        ws.db,
        ws.artifacts,
        { model: 'churn', table: 'churn', into: 'resumed', chunkRows: 500 },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.chunks === 3) controller.abort();
          },
        },
      ),
    );
    const run = await findRun(ws.db, 'resumed');
    const committed = (await committedChunks(ws.db, run!.id)).size;
    assert.ok(committed >= 3 && committed < 15, `${committed} chunks committed`);
    const report = await scoreTable(ws.db, ws.artifacts, {
      model: 'churn',
      table: 'churn',
      into: 'resumed',
      chunkRows: 500,
    });
    assert.equal(report.resumedChunks, committed);
    const [counts] = await ws.db.rows('SELECT count(*) AS n, count(DISTINCT customerID) AS ids FROM resumed');
    assert.deepEqual(counts, { n: 7043, ids: 7043 });
    const [same] = await ws.db.rows(
      `SELECT count(*) AS n FROM resumed r JOIN churn_scores s USING (customerID) WHERE r.probability = s.probability`,
    );
    assert.equal(same.n, 7043);
  });

  test('bad requests name what is wrong', async () => {
    const score = (request: Partial<Parameters<typeof scoreTable>[2]>) =>
      scoreTable(ws.db, ws.artifacts, { model: 'churn', table: 'churn', into: 'x', ...request });
    await assert.rejects(
      score({ table: 'nope' }),
      (e: CairnError) => e.code === 'NOT_FOUND' && /nope/.test(e.message),
    );
    await assert.rejects(score({ into: 'churn' }), (e: CairnError) => e.code === 'INVALID_ARGUMENT');
    await assert.rejects(
      score({ stage: 'production' }),
      (e: CairnError) => e.code === 'NOT_FOUND' && /no version in stage 'production'/.test(e.message),
    );
    await assert.rejects(score({ chunkRows: 0 }), (e: CairnError) => e.code === 'INVALID_ARGUMENT');
    await ws.db.run('CREATE VIEW churn_view AS SELECT * FROM churn');
    await assert.rejects(score({ table: 'churn_view' }), (e: CairnError) => /is a view/.test(e.message));
  });
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/logger.js';
import { readArtifact } from '../src/models/artifact.js';
import { loadModel } from '../src/models/load.js';
import { predictionColumns } from '../src/models/model.js';
import { parseSpec } from '../src/models/spec.js';
import { trainModel } from '../src/models/train.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { buildServer } from '../src/server/app.js';
import { readFrame } from '../src/warehouse/frame-io.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { adminAuth, CHURN_CSV, tempDir } from './support.js';

const tmp = tempDir();
let platform: Platform;
let app: FastifyInstance;
let base: string;
let auth: Record<string, string>;
/** Model input fields, as the churn model reads them. */
let fields: string[];
let sample: Record<string, unknown>[];

const spec = (depth: number) =>
  parseSpec({
    name: 'churn',
    algorithm: 'gbdt',
    data: { table: 'churn' },
    target: 'Churn',
    params: { n_estimators: 80, max_depth: depth, early_stopping_rounds: 0 },
  });

before(async () => {
  platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
  await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
  const artifacts = platform.workspace.artifacts;
  await trainModel(platform.db, artifacts, spec(3));
  await trainModel(platform.db, artifacts, spec(5));
  await trainModel(platform.db, artifacts, spec(4));
  // v3's artifact is damaged: it must never take traffic.
  writeFileSync(path.join(artifacts, 'models/churn/v3.json'), '{"format":"cairn-model","formatVersion":1');
  const model = await loadModel(platform.db, artifacts, 'churn', 1);
  fields = [...new Set(model.artifact.features.map((f) => f.column))];
  sample = await platform.db.rows(
    `SELECT ${fields.map((f) => `"${f}"`).join(', ')} FROM churn ORDER BY customerID LIMIT 200`,
  );
  app = await buildServer(platform, { logger: false, threads: 2 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  auth = await adminAuth(platform);
});

after(async () => {
  await app.close();
  platform.close();
  tmp.remove();
});

interface Reply {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; message: string; details?: { problems: { path: string }[] } };
  };
}

async function call(method: string, url: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

interface Predicted {
  version: number;
  request_id: string;
  predictions: { prediction: string; probability: number }[];
  explanations?: { base: number; top: { feature: string; value: unknown; contribution: number }[] }[];
  latency_ms: number;
}

const predict = async (body: Record<string, unknown>, query = '') => {
  const reply = await call('POST', `/v1/models/churn/predict${query}`, body);
  return { ...reply, result: reply.body as unknown as Predicted };
};

describe('real-time serving', () => {
  test('a model without a production version says how to get one', async () => {
    const { status, body } = await predict({ rows: sample.slice(0, 1) });
    assert.equal(status, 404);
    assert.match(body.error!.message, /no production version; promote one/);
  });

  test('predictions equal batch prediction of the same rows, with the version and latency', async () => {
    assert.equal((await call('POST', '/v1/models/churn/promote', { version: 1 })).status, 200);
    const { status, result } = await predict({ rows: sample.slice(0, 50) });
    assert.equal(status, 200);
    assert.equal(result.version, 1);
    assert.ok(result.latency_ms > 0 && result.latency_ms < 1000);
    const model = await loadModel(platform.db, platform.workspace.artifacts, 'churn', 1);
    const frame = await readFrame(platform.db, `SELECT * FROM churn ORDER BY customerID LIMIT 50`);
    const [labels, probability] = predictionColumns(model, frame);
    result.predictions.forEach((p, r) => {
      assert.equal(p.probability, (probability as { values: Float64Array }).values[r]);
      assert.equal(p.prediction, labels.kind === 'string' ? labels.dictionary[labels.codes[r]] : null);
    });
  });

  test('explain=true: TreeSHAP contributions that add up to the log-odds', async () => {
    const { result } = await predict({ rows: sample.slice(0, 5) }, '?explain=true&top=100');
    result.explanations!.forEach((e, r) => {
      const p = result.predictions[r].probability;
      const sum = e.base + e.top.reduce((s, c) => s + c.contribution, 0);
      assert.ok(Math.abs(sum - Math.log(p / (1 - p))) < 1e-9, `row ${r}: ${sum}`);
      const sorted = e.top.map((c) => Math.abs(c.contribution));
      assert.deepEqual(
        sorted,
        [...sorted].sort((a, b) => b - a),
      );
    });
    const top3 = await predict({ rows: sample.slice(0, 1) }, '?explain=true&top=3');
    assert.equal(top3.result.explanations![0].top.length, 3);
    // Categorical values come back as the labels the request sent.
    const contract = result.explanations!.flatMap((e) => e.top).find((c) => c.feature === 'Contract');
    assert.equal(typeof contract?.value, 'string');
  });

  test('bad rows get a 400 naming each field', async () => {
    const row = sample[0];
    const cases: [unknown[], RegExp, string][] = [
      [[{ ...row, tenure: undefined }], /rows\[0\]\.tenure is missing/, 'rows[0].tenure'],
      [[row, { ...row, colour: 'red' }], /rows\[1\]\.colour is not a field of the model/, 'rows[1].colour'],
      [[{ ...row, tenure: 'abc' }], /rows\[0\]\.tenure is 'abc'; expected a number/, 'rows[0].tenure'],
      [
        [row, { ...row, Contract: 'Weekly' }],
        /rows\[1\]\.Contract is 'Weekly', a category the model has not seen/,
        'rows[1].Contract',
      ],
      [['text'], /rows\[0\] expected an object/, 'rows[0]'],
    ];
    for (const [rows, message, where] of cases) {
      const { status, body } = await predict({ rows });
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(body.error!.message, message);
      assert.equal(body.error!.details!.problems[0].path, where);
      assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+/); // no stack trace
    }
    assert.equal((await predict({ rows: [] })).status, 400);
    assert.equal((await predict({ rows: Array(10_001).fill(row) })).status, 400);
    // A null is a missing value the model handles.
    const missing = await predict({ rows: [{ ...row, tenure: null }] });
    assert.equal(missing.status, 200);
  });

  test('promotion under concurrent load: no failed request, then every request on the new version', async () => {
    const seen = new Set<number>();
    let failures = 0;
    let promoted = false;
    const worker = async () => {
      for (let i = 0; i < 60; i++) {
        const { status, result } = await predict({ rows: [sample[i % sample.length]] });
        if (status !== 200) failures++;
        else {
          seen.add(result.version);
          if (promoted) assert.equal(result.version, 2);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, worker));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const change = await call('POST', '/v1/models/churn/promote', { version: 2, stage: 'production' });
    promoted = true;
    await load;
    assert.equal(change.status, 200);
    assert.deepEqual(change.body.archived, [1]);
    assert.equal(failures, 0);
    assert.deepEqual([...seen].sort(), [1, 2]);
  });

  test('a version that fails to load is not promoted, the previous keeps serving, and the job log has an alert', async () => {
    const { status, body } = await call('POST', '/v1/models/churn/promote', { version: 3 });
    assert.equal(status, 409);
    assert.match(body.error!.message, /v3 failed to load; the version serving before keeps serving/);
    assert.equal((await predict({ rows: [sample[0]] })).result.version, 2);
    let alert: string | undefined;
    for (let i = 0; i < 50 && alert === undefined; i++) {
      const jobs = (await call('GET', '/v1/jobs')).body.jobs as { id: string; kind: string }[];
      const job = jobs.find((j) => j.kind === 'serving_alert');
      if (job) {
        const detail = (await call('GET', `/v1/jobs/${job.id}`)).body as {
          log: { level: string; message: string }[];
        };
        alert = detail.log.find((e) => e.level === 'alert')?.message;
      }
      if (alert === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(alert ?? '', /churn' v3 failed to load/);
    const versions = (await call('GET', '/v1/models/churn')).body.versions as {
      version: number;
      stage: string;
    }[];
    assert.equal(versions.find((v) => v.version === 3)?.stage, 'none');
  });

  test('A/B split by weight, sticky by key, and a shadow scored but never returned', async () => {
    const put = await call('PUT', '/v1/models/churn/routing', {
      variants: [
        { version: 1, weight: 1 },
        { version: 2, weight: 3 },
      ],
    });
    assert.equal(put.status, 200);
    const counts = new Map<number, number>();
    for (let i = 0; i < 800; i++) {
      const { result } = await predict({ rows: [sample[i % sample.length]] });
      counts.set(result.version, (counts.get(result.version) ?? 0) + 1);
    }
    // Binomial(800, 0.25): sd ≈ 12; allow 4 sd.
    assert.ok(Math.abs((counts.get(1) ?? 0) - 200) < 50, JSON.stringify([...counts]));
    const sticky = new Set<number>();
    for (let i = 0; i < 20; i++)
      sticky.add((await predict({ rows: [sample[0]], key: 'customer-42' })).result.version);
    assert.equal(sticky.size, 1);

    await call('PUT', '/v1/models/churn/routing', { variants: [{ version: 2, weight: 1 }], shadow: 1 });
    const requests: Predicted[] = [];
    for (let i = 0; i < 40; i++) {
      const { result } = await predict({ rows: sample.slice(i, i + 2) });
      assert.equal(result.version, 2);
      requests.push(result);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const labels = await platform.db.rows(`SELECT Churn FROM churn ORDER BY customerID LIMIT 42`);
    for (const [i, r] of requests.entries()) {
      const reply = await call('POST', '/v1/models/churn/feedback', {
        request_id: r.request_id,
        labels: [labels[i].Churn as string, labels[i + 1].Churn as string],
      });
      assert.equal(reply.status, 200);
    }
    const traffic = (await call('GET', '/v1/models/churn')).body.traffic as {
      version: number;
      role: string;
      requests: number;
      labelled: number;
      metrics: Record<string, number>;
    }[];
    const shadow = traffic.find((t) => t.role === 'shadow');
    assert.equal(shadow?.version, 1);
    assert.equal(shadow?.requests, 40);
    assert.equal(shadow?.labelled, 80);
    const live = traffic.find((t) => t.role === 'variant' && t.version === 2)!;
    assert.ok(live.labelled >= 80 && live.metrics.accuracy > 0.6, JSON.stringify(live));
    assert.equal((await call('DELETE', '/v1/models/churn/routing')).body.removed, true);
    const unknown = await call('POST', '/v1/models/churn/feedback', { request_id: 'nope', labels: ['Yes'] });
    assert.equal(unknown.status, 404);
  });

  test('rollback, model card (JSON and HTML) and lineage', async () => {
    const back = await call('POST', '/v1/models/churn/rollback');
    assert.equal(back.status, 200);
    assert.equal(back.body.version, 1);
    assert.equal((await predict({ rows: [sample[0]] })).result.version, 1);
    const card = (await call('GET', '/v1/models/churn/versions/1/card')).body as {
      metrics: { auc: number };
      evaluation: {
        curves: { roc: { fpr: number[] } };
        importance: unknown[];
        confusion: { counts: number[][] };
      };
      stages: unknown[];
    };
    assert.ok(card.metrics.auc > 0.8);
    assert.ok(card.evaluation.curves.roc.fpr.length > 10);
    assert.equal(
      card.evaluation.confusion.counts.flat().reduce((a, b) => a + b, 0),
      Math.round(7043 * 0.25),
    );
    assert.ok(card.stages.length >= 3);
    const html = await fetch(`${base}/v1/models/churn/versions/1/card.html`, { headers: auth });
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const page = await html.text();
    assert.equal((page.match(/<svg/g) ?? []).length, 4); // ROC, PR, calibration, importance
    const lineage = (await call('GET', '/v1/models/churn/lineage')).body as {
      versions: { version: number; sameDataAs: number | null }[];
    };
    assert.deepEqual(
      lineage.versions.map((v) => v.sameDataAs),
      [null, 1, 1],
    );
    assert.equal(readArtifact(path.join(platform.workspace.artifacts, 'models/churn/v1.json')).version, 1);
  });
});

describe('response cache', () => {
  test('identical requests within the TTL are answered from the cache, per version', async () => {
    const cached = await buildServer(platform, { logger: false, threads: 1, predictCacheSeconds: 60 });
    try {
      const send = async () =>
        (
          await cached.inject({
            method: 'POST',
            url: '/v1/models/churn/predict',
            headers: auth,
            payload: { rows: [sample[7]] },
          })
        ).json<Predicted & { cached?: boolean }>();
      const first = await send();
      const second = await send();
      assert.equal(first.cached, undefined);
      assert.equal(second.cached, true);
      assert.deepEqual(second.predictions, first.predictions);
      assert.notEqual(second.request_id, first.request_id);
    } finally {
      await cached.close();
    }
  });
});

describe('dropping a table', () => {
  test('DELETE /v1/tables/:name refuses a table a production model was trained on, unless force=true', async () => {
    const refused = await call('DELETE', '/v1/tables/churn');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error!.message, /trained production model\(s\) churn v1/);
    const forced = await call('DELETE', '/v1/tables/churn?force=true');
    assert.equal(forced.status, 200);
    assert.deepEqual(forced.body.warnings, [
      "production model churn v1 was trained on table 'churn'; retraining it needs the data back",
    ]);
    assert.equal((await call('GET', '/v1/tables/churn')).status, 404);
  });
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { trainDemoModels } from '../src/demo-models.js';
import { DEMO_TABLES } from '../src/demo.js';
import { parseSpec } from '../src/models/spec.js';
import { trainModel } from '../src/models/train.js';
import { buildServer } from '../src/server/app.js';
import { simulateTransactions } from '../src/solutions/fraud/simulator.js';
import { withoutLabel } from '../src/solutions/fraud/transaction.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { adminAuth, DATA, tempPlatform } from './support.js';

interface Segments {
  model: string;
  source: string;
  total_rows: number;
  scored_rows: number;
  features: string[];
  points: { x: number[]; y: number[]; cluster: number[] };
  clusters: { cluster: number; size: number; share: number; values: Record<string, number | null> }[];
}

interface Timeline {
  time_column: string;
  total_rows: number;
  scored_rows: number;
  flagged: number;
  threshold: number;
  points: { t: string[]; score: number[]; flagged: number[] };
  top: { t: string; score: number; values: Record<string, number> }[];
}

describe('solution views over HTTP (segments, anomalies, fraud decisions)', () => {
  let platform: Awaited<ReturnType<typeof tempPlatform>>;
  let app: FastifyInstance;
  let auth: Record<string, string>;
  const get = async <T>(url: string, headers = auth) => {
    const response = await app.inject({ method: 'GET', url, headers });
    return { status: response.statusCode, body: response.json<T & { error?: { message: string } }>() };
  };

  before(async () => {
    platform = await tempPlatform();
    for (const table of ['retail_customers', 'retail_invoices']) {
      await ingest(platform.db, { source: path.join(DATA, DEMO_TABLES[table]), table });
    }
    // The demo's own models: k-means with PCA on the customers, isolation forest on the invoices.
    const trained = await trainDemoModels(platform.db, platform.artifacts);
    assert.deepEqual(
      trained.map((r) => r.model),
      ['customer_segments', 'invoice_anomalies'],
    );
    app = await buildServer(platform, { logger: false });
    auth = await adminAuth(platform);
  });
  after(async () => {
    await app.close();
    platform.dispose();
  });

  test('segments: every customer in one of 4 clusters; size-weighted means give the table means', async () => {
    const { status, body } = await get<Segments>('/v1/segments/customer_segments?points=500');
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.source, 'retail_customers');
    assert.equal(body.total_rows, 3591);
    assert.equal(body.scored_rows, 3591);
    assert.deepEqual(body.features, ['recency_days', 'frequency', 'monetary', 'lines']);
    assert.deepEqual(
      body.clusters.map((c) => c.cluster),
      [0, 1, 2, 3],
    );
    assert.equal(
      body.clusters.reduce((s, c) => s + c.size, 0),
      3591,
    );
    const [truth] = await platform.db.rows(
      'SELECT avg(monetary) AS monetary, avg(recency_days) AS recency FROM retail_customers',
    );
    const weighted = (f: string) => body.clusters.reduce((s, c) => s + c.share * c.values[f]!, 0);
    assert.ok(Math.abs(weighted('monetary') - Number(truth.monetary)) < 1e-6);
    assert.ok(Math.abs(weighted('recency_days') - Number(truth.recency)) < 1e-6);
    // Distinct profiles: k-means separates the segments by their standardised RFM values.
    const recency = body.clusters.map((c) => c.values.recency_days!);
    assert.ok(Math.max(...recency) > 2 * Math.min(...recency), `recency means ${recency.join(', ')}`);
    assert.equal(body.points.x.length, 500);
    assert.equal(body.points.y.length, 500);
    assert.ok(body.points.cluster.every((c) => c >= 0 && c <= 3));
    assert.ok(new Set(body.points.x).size > 400, 'the projection spreads the points');
  });

  test('segments of a model trained on a query score that query: log-scaled RFM', async () => {
    const spec = parseSpec(
      {
        name: 'log_segments',
        task: 'cluster',
        algorithm: 'kmeans',
        data: {
          query: `SELECT customer_id, ln(1 + recency_days) AS recency, ln(frequency) AS frequency,
                  ln(monetary) AS monetary FROM retail_customers`,
        },
        features: ['recency', 'frequency', 'monetary'],
        params: { k: 3, projection: 'pca' },
      },
      'test spec',
    );
    await trainModel(platform.db, platform.artifacts, spec);
    const { status, body } = await get<Segments>('/v1/segments/log_segments?points=100');
    assert.equal(status, 200, JSON.stringify(body));
    assert.match(body.source, /^query:SELECT customer_id, ln\(1 \+ recency_days\)/);
    assert.deepEqual([body.total_rows, body.scored_rows, body.clusters.length], [3591, 3591, 3]);
    const [truth] = await platform.db.rows('SELECT avg(ln(monetary)) AS m FROM retail_customers');
    const weighted = body.clusters.reduce((s, c) => s + c.share * c.values.monetary!, 0);
    assert.ok(Math.abs(weighted - Number(truth.m)) < 1e-9);
    // The same model over the table its query reads has no such columns: a 4xx naming them.
    const other = await get<Segments>('/v1/segments/log_segments?table=retail_customers');
    assert.ok(other.status >= 400 && other.status < 500, `status ${other.status}`);
  });

  test('anomalies: the time line holds every flagged invoice, in time order; the top list is the highest scores', async () => {
    const { status, body } = await get<Timeline>('/v1/anomalies/invoice_anomalies?points=1000');
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.time_column, 'ts');
    assert.equal(body.scored_rows, 11_514);
    // contamination 0.01 on the same rows it was trained on.
    assert.ok(Math.abs(body.flagged / body.scored_rows - 0.01) < 0.002, `flagged ${body.flagged}`);
    assert.equal(body.points.t.length, 1000);
    assert.equal(body.points.flagged.filter((f) => f === 1).length, body.flagged);
    const times = body.points.t.map((t) => Date.parse(t));
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]));
    assert.equal(body.points.t[0], '2010-12-01T08:26:00.000Z');
    assert.ok(body.points.score.every((s, i) => s > body.threshold === (body.points.flagged[i] === 1)));
    assert.equal(body.top.length, 20);
    assert.ok(body.top.every((r, i) => i === 0 || r.score <= body.top[i - 1].score));
    assert.ok(body.top[0].score >= Math.max(...body.points.score));
    const [largest] = await platform.db.rows('SELECT max(amount) AS amount FROM retail_invoices');
    assert.ok(
      body.top.some((r) => r.values.amount === Number(largest.amount)),
      'the largest invoice is among the most anomalous',
    );
  });

  test('a model of the wrong task, an unknown model or a missing time column is a 4xx with the reason', async () => {
    const wrong = await get<Segments>('/v1/segments/invoice_anomalies');
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error!.message, /has task 'anomaly'; this view needs a model of task 'cluster'/);
    const missing = await get<Segments>('/v1/anomalies/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error!.message, /model 'nope' does not exist/);
    const time = await get<Timeline>('/v1/anomalies/invoice_anomalies?time=amount');
    assert.equal(time.status, 400);
    assert.match(
      time.body.error!.message,
      /column 'amount' of retail_invoices is float64, not a time; its time columns are 'ts'/,
    );
    const points = await get<Segments>('/v1/segments/customer_segments?points=1');
    assert.equal(points.status, 400);
  });

  test('fraud decisions: the newest first with counts; a viewer (no row access) is refused', async () => {
    const empty = await get<{ decisions: unknown[]; counts: Record<string, number> }>('/v1/fraud/decisions');
    assert.deepEqual(empty.body, { decisions: [], counts: {} });
    const transactions = simulateTransactions({ users: 20, days: 2, seed: 7 }).slice(0, 60);
    for (const tx of transactions) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        headers: auth,
        payload: withoutLabel(tx),
      });
      assert.equal(response.statusCode, 200, response.body);
    }
    const { status, body } = await get<{
      decisions: { transaction_id: string; decision: string; decided_at: string }[];
      counts: Record<string, number>;
    }>('/v1/fraud/decisions?limit=10');
    assert.equal(status, 200);
    assert.equal(body.decisions.length, 10);
    assert.equal(
      Object.values(body.counts).reduce((s, n) => s + n, 0),
      60,
    );
    const at = body.decisions.map((d) => Date.parse(d.decided_at));
    assert.ok(
      at.every((t, i) => i === 0 || t <= at[i - 1]),
      'newest first',
    );
    assert.ok(body.decisions.some((d) => d.transaction_id === transactions[59].transaction_id));
    const { key } = await platform.security.keys.create({ role: 'viewer', name: 'viewer' });
    for (const url of [
      '/v1/fraud/decisions',
      '/v1/segments/customer_segments',
      '/v1/anomalies/invoice_anomalies',
    ]) {
      const refused = await get(url, { authorization: `Bearer ${key}` });
      assert.equal(refused.status, 403, url);
    }
  });
});

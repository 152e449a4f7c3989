import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Random } from '../../core/random.js';
import { ingest } from '../../warehouse/ingest/ingest.js';
import { asText } from '../../warehouse/values.js';
import { DATA, tempPlatform } from '../../../test/support.js';
import { toFeatureView, type FeatureDef } from '../views/feature-view.js';

// Real invoices (UCI Online Retail, one row per invoice) with planted events one second after
// label times: any leak of a later value shows up as a 1e6 amount or the country 'FUTURE'.
const VIEW = {
  name: 'customer_invoices',
  entity: 'customer_id',
  timestamp: 'ts',
  source: { table: 'invoices' },
  ttl: '60d',
  features: [
    { name: 'amount_sum_1d', column: 'amount', agg: 'sum', window: '1d' },
    { name: 'txn_count_7d', agg: 'count', window: '7d' },
    { name: 'amount_mean_30d', column: 'amount', agg: 'mean', window: '30d' },
    { name: 'amount_min_30d', column: 'amount', agg: 'min', window: '30d' },
    { name: 'amount_max_30d', column: 'amount', agg: 'max', window: '30d' },
    { name: 'amount_std_90d', column: 'amount', agg: 'std', window: '90d' },
    { name: 'lines_distinct_30d', column: 'lines', agg: 'distinct', window: '30d' },
    { name: 'last_amount', column: 'amount', agg: 'last' },
    { name: 'last_country', column: 'country', agg: 'last' },
    { name: 'amount_sum_all', column: 'amount', agg: 'sum' },
  ],
};

interface Event {
  ms: number;
  amount: number;
  lines: number;
  country: string;
}

const toMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
const toText = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function reference(events: Event[], at: number, feature: FeatureDef, ttlMs: number): number | string | null {
  const range = feature.windowMs ?? ttlMs;
  const inRange = events.filter((e) => e.ms <= at && e.ms > at - range);
  const values = inRange.map((e) => (feature.column === 'lines' ? e.lines : e.amount));
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  switch (feature.agg) {
    case 'count':
      return n;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return n ? mean : null;
    case 'min':
      return n ? Math.min(...values) : null;
    case 'max':
      return n ? Math.max(...values) : null;
    case 'std':
      return n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
    case 'distinct':
      return new Set(values).size;
    case 'last': {
      if (n === 0) return null;
      const latest = inRange.reduce((a, b) => (b.ms > a.ms ? b : a));
      return feature.column === 'country' ? latest.country : latest.amount;
    }
  }
}

let platform: Awaited<ReturnType<typeof tempPlatform>>;
before(async () => {
  platform = await tempPlatform();
  await ingest(platform.db, {
    source: path.join(DATA, 'online_retail_invoices.csv'),
    table: 'invoices',
    types: { customer_id: 'VARCHAR', invoice_no: 'VARCHAR', ts: 'TIMESTAMP' },
  });
});
after(() => platform.dispose());

test('training-set joins only values at or before each label time, equal to a brute-force reference', async () => {
  // Two invoices of one customer in the same minute would make `last` ambiguous; keep the first.
  const rows = await platform.db.rows(
    `SELECT customer_id, CAST(ts AS VARCHAR) AS ts, amount, lines, country FROM invoices
     QUALIFY row_number() OVER (PARTITION BY customer_id, ts ORDER BY invoice_no) = 1`,
  );
  await platform.db.run(`CREATE OR REPLACE TABLE invoices AS
    SELECT * FROM invoices QUALIFY row_number() OVER (PARTITION BY customer_id, ts ORDER BY invoice_no) = 1`);
  const byCustomer = new Map<string, Event[]>();
  for (const row of rows) {
    const events = byCustomer.get(asText(row.customer_id)) ?? [];
    events.push({
      ms: toMs(asText(row.ts)),
      amount: Number(row.amount),
      lines: Number(row.lines),
      country: asText(row.country),
    });
    byCustomer.set(asText(row.customer_id), events);
  }
  const random = new Random(8);
  const labels: { customer: string; ms: number }[] = [];
  for (let i = 0; i < 400; i++) {
    const row = rows[random.int(rows.length)];
    const ms = toMs(asText(row.ts));
    // Exactly at an event (it counts), exactly one window after it (it falls out of the 1d window), or in between.
    const offset = i % 3 === 0 ? 0 : i % 3 === 1 ? 86_400_000 : random.int(40 * 86_400) * 1000;
    labels.push({ customer: asText(row.customer_id), ms: ms + offset });
  }
  labels.push({ customer: 'nobody', ms: toMs('2011-06-01 00:00:00') });
  const planted = labels.slice(0, 150).filter((l) => l.customer !== 'nobody');
  for (const l of planted) {
    await platform.db.run(
      `INSERT INTO invoices (invoice_no, customer_id, ts, amount, lines, country) VALUES ('F', ?, CAST(? AS TIMESTAMP), 1000000, 999, 'FUTURE')`,
      [l.customer, toText(l.ms + 1000)],
    );
    byCustomer.get(l.customer)!.push({ ms: l.ms + 1000, amount: 1e6, lines: 999, country: 'FUTURE' });
  }
  const labelsFile = path.join(platform.dir, 'labels.csv');
  writeFileSync(
    labelsFile,
    `customer_id,ts,churned\n${labels.map((l, i) => `${l.customer},${toText(l.ms)},${i % 2}`).join('\n')}\n`,
  );
  const view = toFeatureView(VIEW);
  await platform.features.apply(view);
  const out = path.join(platform.dir, 'train.csv');
  const report = await platform.features.trainingSet(view.name, labelsFile, out);
  assert.equal(report.rows, labels.length);
  const got = await platform.db.rows(
    `SELECT * FROM read_csv('${out}', header = true, types = {'customer_id': 'VARCHAR', 'last_country': 'VARCHAR'})`,
  );
  assert.deepEqual(Object.keys(got[0]).slice(0, 3), ['customer_id', 'ts', 'churned']);
  assert.equal(got.length, labels.length);
  let compared = 0;
  labels.forEach((label, i) => {
    const row = got[i];
    assert.equal(asText(row.customer_id), label.customer, `row ${i} keeps the input order`);
    for (const feature of view.features) {
      const expected = reference(byCustomer.get(label.customer) ?? [], label.ms, feature, view.ttlMs!);
      const actual = row[feature.name];
      const where = `row ${i} (${label.customer} at ${toText(label.ms)}), feature ${feature.name}`;
      if (typeof expected === 'number') {
        assert.equal(typeof actual, 'number', `${where}: got ${asText(actual)}, expected ${expected}`);
        assert.ok(
          Math.abs((actual as number) - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
          `${where}: ${asText(actual)} ≠ ${expected}`,
        );
      } else assert.equal(actual, expected, where);
      compared++;
    }
    assert.notEqual(row.last_country, 'FUTURE');
  });
  assert.equal(compared, labels.length * view.features.length);
  const nobody = got[got.length - 1];
  assert.equal(nobody.txn_count_7d, 0);
  assert.equal(nobody.amount_sum_1d, 0);
  assert.equal(nobody.last_amount, null);
});

test('materialize writes the offline table and the in-process online store; lookups read it', async () => {
  const report = await platform.features.materialize('customer_invoices', new Date('2011-12-31T00:00:00Z'));
  assert.equal(report.online, 'memory');
  assert.ok(report.entities > 3000);
  const [offline] = await platform.db.rows(`SELECT count(*) AS n FROM features_customer_invoices`);
  assert.equal(Number(offline.n), report.entities);
  const [one] = await platform.db.rows(
    `SELECT customer_id, max(ts) AS ts FROM invoices WHERE invoice_no <> 'F' GROUP BY customer_id ORDER BY customer_id LIMIT 1`,
  );
  const lookup = await platform.features.lookup('customer_invoices', asText(one.customer_id));
  assert.equal(lookup.features.txn_count_7d, 0);
  assert.equal(typeof lookup.features.amount_sum_all, 'number');
  const many = await platform.features.lookupMany('customer_invoices', [asText(one.customer_id), 'nobody']);
  assert.deepEqual(many[0], lookup.features);
  assert.equal(many[1], null);
  await assert.rejects(
    platform.features.lookup('customer_invoices', 'nobody'),
    /no online features for entity 'nobody'/,
  );
  await assert.rejects(platform.features.lookup('no_view', 'x'), { code: 'NOT_FOUND' });
});

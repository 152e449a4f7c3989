import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { CairnError } from '../core/errors.js';
import { column, stringAt, toFloat64, type Frame, type StringColumn } from '../core/frame.js';
import { Database } from '../warehouse/database.js';
import { readFrame } from '../warehouse/frame-io.js';
import { encoderFromJSON, type EncodedColumns } from './encoders.js';
import { fitOneHot } from './one-hot.js';
import { fitOrdinal } from './ordinal.js';
import { fitTargetEncoder } from './target-encoder.js';

const CHURN_CSV = fileURLToPath(new URL('../../data/telco_customer_churn.csv', import.meta.url));

let db: Database;
/** The real churn table, 7,043 rows. */
let churn: Frame;
/**
 * The same customers as new data: every 10th row pays by 'Crypto' (unseen), every 10th + 1 has no
 * payment method, and the dictionary is built in another order, so codes differ from `churn`'s.
 */
let scoring: Frame;

before(async () => {
  db = await Database.open(':memory:');
  await db.run(`CREATE TABLE churn AS SELECT * FROM read_csv('${CHURN_CSV}', nullstr=['',' '])`);
  churn = await readFrame(db, 'SELECT * FROM churn ORDER BY customerID');
  scoring = await readFrame(
    db,
    `SELECT customerID,
       CASE WHEN n % 10 = 0 THEN 'Crypto' WHEN n % 10 = 1 THEN NULL ELSE PaymentMethod END AS PaymentMethod,
       Contract, SeniorCitizen, Partner
     FROM (SELECT *, row_number() OVER (ORDER BY customerID) - 1 AS n FROM churn)
     ORDER BY Contract DESC, PaymentMethod DESC, customerID`,
  );
});

after(() => db.close());

function strings(frame: Frame, name: string): (string | null)[] {
  const col = column(frame, name) as StringColumn;
  return Array.from({ length: frame.rows }, (_, i) => stringAt(col, i));
}

async function counts(sql: string): Promise<Map<string, number>> {
  const rows = await db.rows(sql);
  return new Map(rows.map((r) => [r.k as string, Number(r.n)]));
}

/** The row of `encoded` for each customer. */
function byCustomer(frame: Frame, encoded: EncodedColumns): Map<string, number[]> {
  const ids = strings(frame, 'customerID');
  return new Map(ids.map((id, i) => [id!, encoded.columns.map((c) => c[i])]));
}

test('one-hot: one column per category, most frequent first, counts as in SQL', async () => {
  const encoder = fitOneHot(column(churn, 'PaymentMethod'));
  const sql = await counts('SELECT PaymentMethod AS k, count(*) AS n FROM churn GROUP BY 1 ORDER BY n DESC');
  assert.deepEqual(encoder.categories, [...sql.keys()]);
  const out = encoder.transform(column(churn, 'PaymentMethod'));
  assert.deepEqual(
    out.names,
    [...sql.keys()].map((k) => `PaymentMethod=${k}`),
  );
  assert.equal(out.columns.length, 4);
  out.columns.forEach((c, k) => {
    assert.equal(c.length, churn.rows);
    assert.equal(
      c.reduce((a, b) => a + b, 0),
      sql.get(encoder.categories[k]),
    );
  });
  for (let i = 0; i < churn.rows; i++)
    assert.equal(
      out.columns.reduce((s, c) => s + c[i], 0),
      1,
    );
});

test('one-hot: maxCategories / minFrequency fold the rest into "other"; unseen and missing', () => {
  const payment = column(churn, 'PaymentMethod');
  const top2 = fitOneHot(payment, { maxCategories: 2 });
  assert.equal(top2.names.length, 3);
  assert.equal(top2.names[2], 'PaymentMethod__other');
  const out = top2.transform(payment);
  for (let i = 0; i < churn.rows; i++)
    assert.equal(
      out.columns.reduce((s, c) => s + c[i], 0),
      1,
    );
  // 'Credit card' has 1,522 of 7,043 rows (21.6 %): below a 22 % floor, above 21 %.
  assert.ok(fitOneHot(payment, { minFrequency: 0.22 }).infrequent.includes('Credit card (automatic)'));
  assert.ok(!fitOneHot(payment, { minFrequency: 0.21 }).infrequent.includes('Credit card (automatic)'));

  const newPayment = column(scoring, 'PaymentMethod');
  const trainPayment = strings(churn, 'PaymentMethod');
  const original = new Map(strings(churn, 'customerID').map((id, i) => [id!, trainPayment[i]]));
  const zeros = fitOneHot(payment, { unseen: 'zeros' });
  const other = fitOneHot(payment, { unseen: 'other' });
  assert.equal(zeros.names.length, 4, 'no missing in training: no missing indicator');
  assert.equal(other.names.length, 5);
  const a = zeros.transform(newPayment);
  const b = other.transform(newPayment);
  const labels = strings(scoring, 'PaymentMethod');
  const ids = strings(scoring, 'customerID');
  for (let i = 0; i < scoring.rows; i++) {
    const rowA = a.columns.map((c) => c[i]);
    const rowB = b.columns.map((c) => c[i]);
    const label = labels[i];
    if (label === 'Crypto') {
      assert.deepEqual(rowA, [0, 0, 0, 0]);
      assert.deepEqual(rowB, [0, 0, 0, 0, 1]);
    } else if (label === null) {
      assert.deepEqual(rowA, [0, 0, 0, 0]);
    } else {
      // Matched by string: the scoring Frame's dictionary codes differ from the training Frame's.
      assert.equal(label, original.get(ids[i]!));
      assert.equal(rowA[zeros.categories.indexOf(label)], 1);
    }
  }

  // Trained where some rows are missing, the encoder gets a missing indicator.
  const withMissing = fitOneHot(newPayment);
  assert.equal(withMissing.names.at(-1), 'PaymentMethod__missing');
  const m = withMissing.transform(newPayment);
  const missingRows = labels.filter((l) => l === null).length;
  assert.equal(
    m.columns.at(-1)!.reduce((s, v) => s + v, 0),
    missingRows,
  );
});

test('one-hot and ordinal read bool and integer columns as categories', () => {
  const senior = fitOneHot(column(churn, 'SeniorCitizen'));
  assert.deepEqual([...senior.categories], ['0', '1']);
  const partner = fitOrdinal(column(churn, 'Partner'), { order: 'lexical' });
  assert.deepEqual([...partner.categories], ['false', 'true']);
  const y = toFloat64(column(churn, 'Partner'));
  assert.deepEqual(partner.transform(column(churn, 'Partner')).columns[0], y);
  assert.throws(
    () => fitOneHot(column(churn, 'MonthlyCharges')),
    (e: unknown) =>
      e instanceof CairnError &&
      e.code === 'INVALID_ARGUMENT' &&
      /column 'MonthlyCharges' is float64/.test(e.message),
  );
});

test('ordinal: codes by frequency or lexical order; unseen and missing are NaN', async () => {
  const contract = column(churn, 'Contract');
  const byFrequency = fitOrdinal(contract);
  assert.deepEqual(byFrequency.categories, [
    ...(await counts('SELECT Contract AS k, count(*) AS n FROM churn GROUP BY 1 ORDER BY n DESC')).keys(),
  ]);
  assert.deepEqual(fitOrdinal(contract, { order: 'lexical' }).categories, [
    'Month-to-month',
    'One year',
    'Two year',
  ]);
  assert.equal(byFrequency.categoryCount, 3);

  const payment = fitOrdinal(column(churn, 'PaymentMethod'));
  const out = payment.transform(column(scoring, 'PaymentMethod'));
  assert.deepEqual(out.names, ['PaymentMethod']);
  const labels = strings(scoring, 'PaymentMethod');
  out.columns[0].forEach((v, i) => {
    const label = labels[i]!;
    if (label === null || label === 'Crypto') assert.ok(Number.isNaN(v));
    else assert.equal(payment.categories[v], label);
  });
});

test('target encoding: each training row is encoded from the other folds only', () => {
  const contract = column(churn, 'Contract') as StringColumn;
  const y = toFloat64(column(churn, 'Churn'));
  const m = 10;
  const { encoder, train, foldOf } = fitTargetEncoder(contract, y, {
    task: 'binary',
    smoothing: m,
    folds: 5,
    seed: 3,
  });
  assert.deepEqual(train.names, ['Contract__target']);
  const encoded = train.columns[0];
  for (let i = 0; i < churn.rows; i++) {
    let sum = 0;
    let count = 0;
    let ySum = 0;
    let rows = 0;
    for (let j = 0; j < churn.rows; j++) {
      if (foldOf[j] === foldOf[i]) continue;
      rows++;
      ySum += y[j];
      if (contract.codes[j] === contract.codes[i]) {
        count++;
        sum += y[j];
      }
    }
    const expected = (sum + (m * ySum) / rows) / (count + m);
    assert.ok(Math.abs(encoded[i] - expected) < 1e-12, `row ${i}: ${encoded[i]} vs ${expected}`);
    if (i > 300) break; // the quadratic check on a prefix is enough
  }
  // New data gets the full-data statistics; an unseen category gets the prior.
  const full = encoder.transform(contract).columns[0];
  const prior = y.reduce((a, b) => a + b, 0) / y.length;
  const monthly = Array.from(y).filter((_, i) => stringAt(contract, i) === 'Month-to-month');
  const expected = (monthly.reduce((a, b) => a + b, 0) + m * prior) / (monthly.length + m);
  const first = monthly.length > 0 ? strings(churn, 'Contract').indexOf('Month-to-month') : -1;
  assert.ok(Math.abs(full[first] - expected) < 1e-12);
  assert.notDeepEqual(full, encoded);
});

test("target encoding: changing a row's target never changes that row's own encoding", () => {
  const payment = column(churn, 'PaymentMethod');
  const y = toFloat64(column(churn, 'MonthlyCharges'));
  const before = fitTargetEncoder(payment, y, { task: 'regression', folds: 4, seed: 1 });
  const changed = Float64Array.from(y, (v, i) => (before.foldOf[i] === 0 ? v * 3 + 100 : v));
  const after = fitTargetEncoder(payment, changed, { task: 'regression', folds: 4, seed: 1 });
  assert.deepEqual(after.foldOf, before.foldOf);
  const a = before.train.columns[0];
  const b = after.train.columns[0];
  for (let i = 0; i < y.length; i++) {
    if (before.foldOf[i] === 0) assert.equal(b[i], a[i], `row ${i} in the changed fold`);
    else assert.notEqual(b[i], a[i], `row ${i} in another fold sees fold 0's new targets`);
  }
});

test('target encoding: multiclass gives one column per class; unseen and missing rows', () => {
  const tenureBand = toFloat64(column(churn, 'tenure')).map((t) => (t < 12 ? 0 : t < 48 ? 1 : 2));
  const { encoder, train } = fitTargetEncoder(column(churn, 'PaymentMethod'), tenureBand, {
    task: 'multiclass',
  });
  assert.deepEqual(train.names, [
    'PaymentMethod__target_0',
    'PaymentMethod__target_1',
    'PaymentMethod__target_2',
  ]);
  const out = encoder.transform(column(scoring, 'PaymentMethod'));
  const labels = strings(scoring, 'PaymentMethod');
  const priors = [0, 1, 2].map((k) => tenureBand.filter((c) => c === k).length / tenureBand.length);
  for (let i = 0; i < scoring.rows; i++) {
    const row = out.columns.map((c) => c[i]);
    // Smoothed class shares still sum to one.
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    if (labels[i] === 'Crypto' || labels[i] === null) {
      row.forEach((v, k) => assert.ok(Math.abs(v - priors[k]) < 1e-12));
    }
  }
  assert.throws(
    () =>
      fitTargetEncoder(column(churn, 'Contract'), new Float64Array(churn.rows).fill(2), { task: 'binary' }),
    /target encoding of column 'Contract': target row 0 is 2; a binary target must be 0 or 1/,
  );
});

test('encoders survive a JSON round trip and refuse malformed JSON', () => {
  const payment = column(churn, 'PaymentMethod');
  const y = toFloat64(column(churn, 'Churn'));
  const encoders = [
    fitOneHot(payment, { maxCategories: 2, unseen: 'other' }),
    fitOrdinal(payment),
    fitTargetEncoder(payment, y, { task: 'binary' }).encoder,
  ];
  const target = column(scoring, 'PaymentMethod');
  for (const encoder of encoders) {
    const loaded = encoderFromJSON(JSON.parse(JSON.stringify(encoder)));
    assert.equal(loaded.kind, encoder.kind);
    assert.deepEqual(loaded.toJSON(), encoder.toJSON());
    assert.deepEqual(
      byCustomer(scoring, loaded.transform(target)),
      byCustomer(scoring, encoder.transform(target)),
    );
  }
  assert.throws(() => encoderFromJSON({ kind: 'hash' }), /encoder JSON has kind "hash"/);
  assert.throws(
    () => encoderFromJSON({ kind: 'ordinal', version: 2 }),
    /cannot load ordinal encoder: version is 2/,
  );
  const broken = { ...encoders[2].toJSON(), missing: [] };
  assert.throws(
    () => encoderFromJSON(broken),
    /cannot load target encoder: 'missing' has 0 values; expected 1/,
  );
});

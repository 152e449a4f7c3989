import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Random } from '../src/core/random.js';
import { dedupTable } from '../src/quality/dedup/dedup.js';
import { findFuzzyDuplicates } from '../src/quality/dedup/fuzzy.js';
import { saveProfile } from '../src/quality/profile/history.js';
import { profileTable } from '../src/quality/profile/profile.js';
import { listRuns } from '../src/quality/rules/history.js';
import { saveRuleSet } from '../src/quality/rules/ruleset-store.js';
import { checkTable } from '../src/quality/rules/run.js';
import { runDueChecks } from '../src/quality/rules/schedule.js';
import { parseRuleSet, type RuleSetInput } from '../src/quality/rules/spec.js';
import { suggestRules } from '../src/quality/rules/suggest.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { asText } from '../src/warehouse/values.js';
import { CHURN_CSV, DATA, tempPlatform } from './support.js';

type TestPlatform = Awaited<ReturnType<typeof tempPlatform>>;
let platform: TestPlatform;

before(async () => {
  platform = await tempPlatform();
  await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
  // Violations planted on known rows of the real churn table; every other row is left as IBM shipped it.
  await platform.db.run(`
    CREATE TABLE planted AS SELECT *, CAST(tenure AS VARCHAR) AS tenure_text FROM churn;
    UPDATE planted SET tenure = -5 WHERE customerID IN ('7590-VHVEG', '5575-GNVDE', '3668-QPYBK', '7795-CFOCW', '9237-HQITU', '9305-CDSKC', '1452-KIOVK');
    UPDATE planted SET gender = 'Unknown' WHERE customerID IN ('6713-OKOMC', '7892-POOKP', '6388-TABGU', '9763-GRSKD');
    UPDATE planted SET PaymentMethod = NULL WHERE customerID IN ('7469-LKBCI', '8091-TTVAX', '0280-XJGEX', '5129-JLPIS', '3655-SNQYZ');
    UPDATE planted SET customerID = '8191-XWSZG' WHERE customerID = '9959-WOFKT';
    UPDATE planted SET customerID = '4190-MFLUW' WHERE customerID = '4183-MYFRB';
    UPDATE planted SET customerID = lower(customerID) WHERE customerID IN ('8779-QRDMV', '1680-VDCWW');
    UPDATE planted SET TotalCharges = MonthlyCharges - 1 WHERE customerID IN ('1066-JKSGK', '3638-WEABW', '6322-HRPFA');
    UPDATE planted SET Contract = 'Three year' WHERE customerID IN ('6865-JZNKO', '8665-UTDHZ');
    UPDATE planted SET tenure_text = 'n/a' WHERE customerID IN ('5248-YGIJN', '8773-HHUOZ');
    CREATE TABLE contracts AS SELECT DISTINCT Contract AS name FROM churn;`);
});

after(() => platform.dispose());

const contractRules: RuleSetInput = {
  table: 'planted',
  rules: [
    { check: 'range', column: 'tenure', min: 0, max: 72 },
    { check: 'in_set', column: 'gender', values: ['Female', 'Male'] },
    { check: 'not_null', column: 'PaymentMethod', severity: 'warn' },
    { check: 'unique', columns: ['customerID'] },
    { check: 'regex', column: 'customerID', pattern: '^[0-9]{4}-[A-Z]{5}$' },
    { check: 'sql', name: 'total_covers_month', predicate: 'TotalCharges >= MonthlyCharges' },
    { check: 'references', column: 'Contract', table: 'contracts', ref_column: 'name' },
    { check: 'type', column: 'tenure_text', type: 'INTEGER' },
    { check: 'not_null', column: 'MonthlyCharges' },
    { check: 'unique', columns: ['customerID', 'gender'] },
    { check: 'row_count', min: 7000, max: 8000 },
    { check: 'mean', column: 'MonthlyCharges', min: 60, max: 70 },
    { check: 'quantile', column: 'MonthlyCharges', q: 0.5, min: 70, max: 71 },
  ],
};

describe('rules on real data with planted violations', () => {
  test('every planted violation is found with its exact count, and nothing else', async () => {
    const report = await checkTable(platform.db, 'planted', { rules: parseRuleSet(contractRules) });
    assert.equal(report.table, 'planted');
    assert.deepEqual(
      report.results.map((r) => [r.check, r.column ?? r.columns, r.severity, r.failing, r.passed]),
      [
        ['range', 'tenure', 'error', 7, false],
        ['in_set', 'gender', 'error', 4, false],
        ['not_null', 'PaymentMethod', 'warn', 5, false],
        // Two IDs overwritten with existing ones: two pairs, four rows sharing a key.
        ['unique', ['customerID'], 'error', 4, false],
        ['regex', 'customerID', 'error', 2, false],
        ['sql', undefined, 'error', 3, false],
        ['references', 'Contract', 'error', 2, false],
        ['type', 'tenure_text', 'error', 2, false],
        ['not_null', 'MonthlyCharges', 'error', 0, true],
        // Of the two planted pairs only one also shares its gender.
        ['unique', ['customerID', 'gender'], 'error', 2, false],
        ['row_count', undefined, 'error', 0, true],
        ['mean', 'MonthlyCharges', 'error', 0, true],
        ['quantile', 'MonthlyCharges', 'error', 0, true],
      ],
    );
    assert.equal(report.passed, false);
    const sample = (i: number) => report.results[i].sample as Record<string, unknown>[];
    assert.ok(sample(0).every((row) => row.tenure === -5));
    assert.ok(sample(1).every((row) => row.gender === 'Unknown'));
    assert.deepEqual([...new Set(sample(3).map((row) => row.customerID))].sort(), [
      '4190-MFLUW',
      '8191-XWSZG',
    ]);
    assert.equal(report.results[11].observed, 64.76169246059922);
    assert.equal(report.results[12].observed, 70.35);
    assert.equal(sample(0).length, 5);
  });

  test('the unmodified table passes the same rules', async () => {
    await platform.db.run(
      `CREATE TABLE clean AS SELECT *, CAST(tenure AS VARCHAR) AS tenure_text FROM churn`,
    );
    const report = await checkTable(platform.db, 'clean', {
      rules: parseRuleSet({ ...contractRules, table: 'clean' }),
    });
    assert.deepEqual(
      report.results.filter((r) => !r.passed),
      [],
    );
    assert.equal(report.passed, true);
  });

  test('drift: PSI and KS against a reference table and an earlier profile', async () => {
    await platform.db.run(
      `CREATE TABLE shifted AS SELECT * REPLACE (MonthlyCharges + 30 AS MonthlyCharges) FROM churn`,
    );
    await saveProfile(platform.db, await profileTable(platform.db, 'churn'));
    const drift = (reference: object, method: 'psi' | 'ks') =>
      parseRuleSet({ rules: [{ check: 'drift', column: 'MonthlyCharges', method, reference }] });
    for (const method of ['psi', 'ks'] as const) {
      const same = await checkTable(platform.db, 'churn', {
        rules: drift({ table: 'churn' }, method),
        record: false,
      });
      assert.equal(same.results[0].observed, 0);
      const moved = await checkTable(platform.db, 'shifted', {
        rules: drift({ table: 'churn' }, method),
        record: false,
      });
      assert.equal(moved.results[0].passed, false, `${method} flags the shift`);
      assert.ok(Number(moved.results[0].observed) > (method === 'psi' ? 0.2 : 0.1));
    }
    const byProfile = await checkTable(platform.db, 'churn', {
      rules: parseRuleSet({
        rules: [
          { check: 'drift', column: 'MonthlyCharges', reference: { profile: 'latest' } },
          { check: 'drift', column: 'Contract', reference: { profile: 'latest' } },
        ],
      }),
      record: false,
    });
    assert.deepEqual(
      byProfile.results.map((r) => r.observed),
      [0, 0],
    );
  });

  test('freshness compares the newest timestamp with the database clock', async () => {
    await platform.db.run(
      `CREATE TABLE recent AS SELECT *, now() - to_hours(tenure + 3) AS seen_at FROM churn`,
    );
    const fresh = (maxAge: string) =>
      checkTable(platform.db, 'recent', {
        rules: parseRuleSet({ rules: [{ check: 'freshness', column: 'seen_at', max_age: maxAge }] }),
        record: false,
      });
    assert.equal((await fresh('4 hours')).results[0].passed, true);
    assert.equal((await fresh('2 hours')).results[0].passed, false);
    assert.throws(
      () => parseRuleSet({ rules: [{ check: 'freshness', column: 'seen_at', max_age: 'soon' }] }),
      /max_age/,
    );
  });

  test('an unknown column is named before any SQL runs', async () => {
    await assert.rejects(
      checkTable(platform.db, 'churn', {
        rules: parseRuleSet({ rules: [{ check: 'not_null', column: 'agee' }] }),
      }),
      /rule 1 \(not_null\) names column 'agee', which table 'churn' does not have/,
    );
  });
});

describe('profile', () => {
  test('counts, quantiles, top values, semantic types and correlations of the churn table', async () => {
    const profile = await profileTable(platform.db, 'churn');
    assert.equal(profile.rows, 7043);
    const col = (name: string) => profile.columns.find((c) => c.name === name);
    assert.deepEqual(
      { nulls: col('TotalCharges')?.nulls, distinct: col('TotalCharges')?.distinct },
      { nulls: 11, distinct: 6530 },
    );
    assert.equal(col('customerID')?.semantic, 'identifier');
    assert.deepEqual(col('Contract')?.top, [
      { value: 'Month-to-month', count: 3875 },
      { value: 'Two year', count: 1695 },
      { value: 'One year', count: 1473 },
    ]);
    assert.equal(col('tenure')?.quantiles?.p50, 29);
    assert.equal(
      col('MonthlyCharges')?.histogram?.counts.reduce((s, v) => s + v, 0),
      7043,
    );
    const r = profile.correlation;
    const i = r.columns.indexOf('tenure');
    const j = r.columns.indexOf('TotalCharges');
    assert.ok(Math.abs((r.matrix[i][j] ?? 0) - 0.8258804609332018) < 1e-9);
  });

  test('suggested rules pass on the table they came from', async () => {
    const proposal = await suggestRules(platform.db, await profileTable(platform.db, 'churn'));
    const checks = proposal.rules.map((rule) => rule.check);
    assert.ok(checks.includes('unique') && checks.includes('in_set') && checks.includes('range'));
    const report = await checkTable(platform.db, 'churn', { rules: parseRuleSet(proposal), record: false });
    assert.equal(report.passed, true);
    assert.ok(report.results.every((r) => r.passed));
  });
});

describe('rules on every ingest', () => {
  // 20 real rows of the churn file, three of them made bad: tenure out of range, an unknown gender, a missing tenure.
  function writeBatch(file: string): void {
    const lines = readFileSync(CHURN_CSV, 'utf8').split('\n').slice(0, 21);
    const header = lines[0].split(',');
    const set = (line: number, column: string, value: string) => {
      const fields = lines[line].split(',');
      fields[header.indexOf(column)] = value;
      lines[line] = fields.join(',');
    };
    set(3, 'tenure', '500');
    set(7, 'gender', 'X');
    set(12, 'tenure', '');
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
  const rules = (policy: 'block' | 'quarantine') =>
    parseRuleSet({
      on_ingest: policy,
      rules: [
        { check: 'range', column: 'tenure', min: 0, max: 72 },
        { check: 'in_set', column: 'gender', values: ['Female', 'Male'] },
        { check: 'not_null', column: 'tenure' },
        { check: 'not_null', column: 'TotalCharges', severity: 'warn' },
        { check: 'unique', columns: ['customerID'] },
      ],
    });

  test('quarantine: offending rows go to the quarantine table with reasons; read = accepted + quarantined', async () => {
    const file = path.join(platform.dir, 'batch.csv');
    writeBatch(file);
    await ingest(platform.db, { source: CHURN_CSV, table: 'customers' });
    await platform.db.run(
      `DELETE FROM customers WHERE customerID IN (SELECT customerID FROM churn LIMIT 20)`,
    );
    await saveRuleSet(platform.db, 'customers', rules('quarantine'));
    const report = await ingest(platform.db, { source: file, table: 'customers', mode: 'append' });
    assert.deepEqual(
      { read: report.read, accepted: report.accepted, quarantined: report.quarantined },
      { read: 20, accepted: 17, quarantined: 3 },
    );
    const rows = await platform.db.rows(`SELECT error, reason FROM customers__quarantine ORDER BY reason`);
    assert.deepEqual(
      rows.map((r) => r.error),
      ['RULE_RANGE', 'RULE_IN_SET', 'RULE_NOT_NULL'],
    );
    assert.match(asText(rows[0].reason), /rule 1 range 'tenure': holds 500; expected 0 to 72/);
    assert.match(asText(rows[1].reason), /rule 2 in_set 'gender': holds 'X'; expected one of Female, Male/);
    const [count] = await platform.db.rows(`SELECT count(*) AS n FROM customers`);
    assert.equal(count.n, 7043 - 20 + 17);

    // Loading the same batch again: every record now repeats a customerID already in the table.
    const again = await ingest(platform.db, { source: file, table: 'customers', mode: 'append' });
    assert.deepEqual(
      { accepted: again.accepted, quarantined: again.quarantined },
      { accepted: 0, quarantined: 20 },
    );
    const runs = await listRuns(platform.db, 'customers');
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.passed]),
      [
        ['ingest', false],
        ['ingest', false],
      ],
    );
  });

  test('block: a failing error rule stops the load and leaves the table as it was', async () => {
    const file = path.join(platform.dir, 'batch.csv');
    writeBatch(file);
    await ingest(platform.db, { source: CHURN_CSV, table: 'blocked' });
    await saveRuleSet(platform.db, 'blocked', rules('block'));
    await assert.rejects(
      ingest(platform.db, { source: file, table: 'blocked', mode: 'replace' }),
      (error: Error & { code?: string }) =>
        error.code === 'INVALID_ARGUMENT' &&
        /ingest into 'blocked' blocked by its rules/.test(error.message) &&
        /1 loaded records fail rule 1 range 'tenure'/.test(error.message),
    );
    const [count] = await platform.db.rows(`SELECT count(*) AS n FROM blocked`);
    assert.equal(count.n, 7043);
  });

  test('scheduled checks run when due, once, and are kept as history', async () => {
    await saveRuleSet(
      platform.db,
      'churn',
      parseRuleSet({ schedule: '0 * * * *', rules: [{ check: 'row_count', min: 1 }] }),
    );
    const later = new Date(Date.now() + 2 * 3600_000);
    const runs = await runDueChecks(platform.db, later);
    assert.deepEqual(
      runs.map((r) => [r.table, r.report?.passed]),
      [['churn', true]],
    );
    assert.deepEqual(await runDueChecks(platform.db, later), []);
    assert.equal((await listRuns(platform.db, 'churn'))[0].trigger, 'schedule');
    await assert.rejects(
      saveRuleSet(platform.db, 'churn', parseRuleSet({ schedule: 'every day', rules: [] })),
      /schedule 'every day' is not a cron expression/,
    );
  });

  test('a sudden drop in rows is flagged against the run history', async () => {
    const rules = parseRuleSet({ rules: [{ check: 'row_count', min: 1 }] });
    await platform.db.run(`CREATE TABLE volume AS SELECT * FROM churn`);
    for (let i = 0; i < 5; i++) await checkTable(platform.db, 'volume', { rules });
    await platform.db.run(`DELETE FROM volume WHERE tenure > 10`);
    const report = await checkTable(platform.db, 'volume', { rules });
    assert.deepEqual(
      report.anomalies.map((a) => a.metric),
      ['rows'],
    );
  });
});

describe('deduplication', () => {
  before(async () => {
    await ingest(platform.db, { source: path.join(DATA, 'online_retail_products.csv'), table: 'products' });
  });

  test('exact and key duplicates on real retail invoices, with a written deduplicated table', async () => {
    await ingest(platform.db, { source: path.join(DATA, 'online_retail_products.csv'), table: 'products' });
    await platform.db.run(
      `CREATE TABLE doubled AS SELECT * FROM products UNION ALL (SELECT * FROM products LIMIT 25)`,
    );
    const exact = await dedupTable(platform.db, { table: 'doubled', output: 'undoubled' });
    assert.deepEqual(
      {
        rows: exact.rows,
        clusters: exact.clusters,
        duplicates: exact.duplicates,
        written: exact.output?.rows,
      },
      { rows: 2751, clusters: 25, duplicates: 25, written: 2726 },
    );
    const byKey = await dedupTable(platform.db, { table: 'products', key: ['StockCode'], keep: 'complete' });
    const [expected] = await platform.db.rows(
      `SELECT count(*) - count(DISTINCT StockCode) AS extra FROM products`,
    );
    assert.equal(byKey.duplicates, expected.extra);
  });

  test('fuzzy: planted near-duplicates of real product names are found with precision ≥ 0.9 and recall ≥ 0.95', async (t) => {
    const names = (await platform.db.rows(`SELECT Description FROM products ORDER BY rowid`)).map((r) =>
      asText(r.Description),
    );
    const random = new Random(7);
    const typo = (text: string): string => {
      const chars = [...text];
      const letters = chars.map((c, i) => (/[A-Z]/i.test(c) ? i : -1)).filter((i) => i > 0);
      const at = letters[Math.floor(random.next() * letters.length)];
      const kind = Math.floor(random.next() * 4);
      if (kind === 0) chars.splice(at, 1);
      else if (kind === 1 && at + 1 < chars.length) [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]];
      else if (kind === 2) chars.splice(at, 0, chars[at]);
      else return `  ${text.toLowerCase()}.`;
      return chars.join('');
    };
    const planted: [number, number][] = [];
    const values = [...names];
    const chosen = new Set<number>();
    while (chosen.size < 150) chosen.add(Math.floor(random.next() * names.length));
    for (const original of chosen) {
      planted.push([original, values.length]);
      values.push(typo(names[original]));
    }
    const result = findFuzzyDuplicates([values], { threshold: 0.95 });
    const found = new Set(result.pairs.map((p) => `${p.a}:${p.b}`));
    const hits = planted.filter(([a, b]) => found.has(`${a}:${b}`)).length;
    const involvingPlanted = result.pairs.filter((p) => p.b >= names.length || p.a >= names.length);
    const correct = involvingPlanted.filter((p) => planted.some(([a, b]) => a === p.a && b === p.b)).length;
    const recall = hits / planted.length;
    const precision = correct / involvingPlanted.length;
    t.diagnostic(
      `fuzzy dedup: recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)}, ${result.comparisons} comparisons`,
    );
    assert.ok(recall >= 0.95, `recall ${recall}`);
    assert.ok(precision >= 0.9, `precision ${precision}`);
  });
});

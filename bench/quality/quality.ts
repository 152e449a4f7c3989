// Benchmark: Cairn's profile and rule check of a ≥ 5M-row × 20-column table against DuckDB's own
// SUMMARIZE on the same table, interleaved, from one run.
// Usage: npx tsx bench/quality/quality.ts [--rows N] [--repeat N] [--json]
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/core/logger.js';
import { openPlatform, type Platform } from '../../src/platform.js';
import { saveProfile } from '../../src/quality/profile/history.js';
import { profileTable } from '../../src/quality/profile/profile.js';
import { runRules } from '../../src/quality/rules/check.js';
import { parseRuleSet } from '../../src/quality/rules/spec.js';
import { countRows, tableExists } from '../../src/warehouse/catalog.js';
import { literal } from '../../src/warehouse/sql.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOME = path.join(ROOT, 'bench/out/quality-ws');
/** 3,000,000 real US domestic flights of 2001 (vega-datasets): date, delay, distance, origin, destination. */
const SOURCE = '/work/shared/datasets/tabular/vega_flights/flights-3m.parquet';
const SOURCE_ROWS = 3_000_000;
const TARGET_RATIO = 2;

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '6000000' },
    repeat: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const REPEAT = Number(values.repeat);
if (!Number.isInteger(ROWS) || ROWS < 1)
  throw new Error(`--rows must be a positive integer, got '${values.rows}'`);
if (!Number.isInteger(REPEAT) || REPEAT < 3)
  throw new Error(`--repeat must be an integer ≥ 3, got '${values.repeat}'`);

/**
 * The real flights, then copies shifted by one more year each until ROWS, with 15 columns derived
 * from the five real ones (calendar parts, route, buckets, ratios, an identifier): 20 in all.
 */
async function buildTable(platform: Platform): Promise<boolean> {
  if ((await tableExists(platform.db, 'flights')) && (await countRows(platform.db, 'flights')) === ROWS)
    return false;
  const copies = Math.ceil(ROWS / SOURCE_ROWS);
  await platform.db.run(`
    CREATE OR REPLACE TABLE flights AS
    WITH base AS (
      SELECT date + to_years(CAST(k AS INTEGER)) AS date, delay, distance, origin, destination
      FROM read_parquet(${literal(SOURCE)}), range(${copies}) AS t(k)
      ORDER BY k, date LIMIT ${ROWS})
    SELECT row_number() OVER () AS flight_id, date, delay, distance, origin, destination,
      origin || '-' || destination AS route,
      year(date) AS year, quarter(date) AS quarter, month(date) AS month, week(date) AS week,
      day(date) AS day, hour(date) AS hour, hour(date) * 60 + minute(date) AS dep_minute,
      dayname(date) AS weekday, delay > 15 AS delayed,
      CASE WHEN delay < 0 THEN 'early' WHEN delay <= 15 THEN 'on time' WHEN delay <= 60 THEN 'late' ELSE 'very late' END AS delay_bucket,
      distance * 1.609344 AS distance_km,
      100.0 * delay / nullif(distance, 0) AS delay_per_100mi,
      ln(greatest(distance, 1)) AS log_distance
    FROM base`);
  return true;
}

const RULES = parseRuleSet({
  table: 'flights',
  rules: [
    { check: 'row_count', min: 5_000_000 },
    { check: 'not_null', column: 'date' },
    { check: 'not_null', column: 'origin' },
    { check: 'unique', columns: ['flight_id'] },
    { check: 'range', column: 'distance', min: 1, max: 6000 },
    { check: 'range', column: 'delay', min: -120, max: 1500, severity: 'warn' },
    { check: 'in_set', column: 'delay_bucket', values: ['early', 'on time', 'late', 'very late'] },
    { check: 'regex', column: 'route', pattern: '^[A-Z0-9]{3}-[A-Z0-9]{3}$' },
    { check: 'sql', name: 'km_match_miles', predicate: 'abs(distance_km - distance * 1.609344) < 1e-6' },
    { check: 'mean', column: 'delay', min: -10, max: 60 },
    { check: 'quantile', column: 'distance', q: 0.5, min: 100, max: 3000 },
    { check: 'drift', column: 'delay', reference: { profile: 'latest' } },
  ],
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
};

mkdirSync(HOME, { recursive: true });
const platform = await openPlatform({ home: HOME, logger: silentLogger });
try {
  const buildStart = performance.now();
  const built = await buildTable(platform);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const [shape] = await platform.db.rows(
    `SELECT count(*) AS rows, (SELECT count(*) FROM duckdb_columns() WHERE table_name = 'flights' AND schema_name = 'main') AS cols FROM flights`,
  );
  const load = os.loadavg()[0];
  // Warm-up, and the profile the drift rule compares with.
  await platform.db.rows('SUMMARIZE flights');
  await saveProfile(platform.db, await profileTable(platform.db, 'flights'));
  await runRules(platform.db, 'flights', RULES);

  const samples = { summarize: [] as number[], profile: [] as number[], check: [] as number[] };
  let failing: string[] = [];
  for (let i = 0; i < REPEAT; i++) {
    samples.summarize.push(await time(() => platform.db.rows('SUMMARIZE flights')));
    samples.profile.push(await time(() => profileTable(platform.db, 'flights')));
    samples.check.push(
      await time(async () => {
        const outcome = await runRules(platform.db, 'flights', RULES);
        failing = outcome.results
          .filter((r) => !r.passed)
          .map((r) => `${r.check} ${r.column ?? ''} (${r.failing})`);
      }),
    );
  }
  const summarize = median(samples.summarize);
  const result = {
    rows: Number(shape.rows),
    columns: Number(shape.cols),
    repeat: REPEAT,
    load: [load, os.loadavg()[0]],
    build_seconds: built ? buildSeconds : null,
    summarize,
    profile: median(samples.profile),
    check: median(samples.check),
    profile_ratio: median(samples.profile) / summarize,
    check_ratio: median(samples.check) / summarize,
    spread: Object.fromEntries(
      Object.entries(samples).map(([k, v]) => [k, [Math.min(...v), Math.max(...v)]]),
    ),
    failing_rules: failing,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const ok = (r: number) =>
      r <= TARGET_RATIO ? `(≤ ${TARGET_RATIO} ok)` : `(> ${TARGET_RATIO} target missed)`;
    const line = (name: string, s: number, ratio?: number) =>
      `| ${name.padEnd(28)} | ${s.toFixed(2).padStart(6)} | ${ratio === undefined ? '—'.padEnd(20) : `${ratio.toFixed(2)} ${ok(ratio)}`.padEnd(20)} |`;
    process.stdout.write(
      [
        `flights: ${result.rows.toLocaleString('en')} rows × ${result.columns} columns; medians of ${REPEAT} interleaved runs after a warm-up; load ${load.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
        '',
        `| timing                       | s      | ratio to SUMMARIZE   |`,
        `| ---------------------------- | ------ | -------------------- |`,
        line('DuckDB SUMMARIZE', summarize),
        line('Cairn profile', result.profile, result.profile_ratio),
        line(`Cairn check (${RULES.rules.length} rules)`, result.check, result.check_ratio),
        '',
        `spread (min–max s): ${Object.entries(result.spread)
          .map(([k, [lo, hi]]) => `${k} ${lo.toFixed(2)}–${hi.toFixed(2)}`)
          .join(', ')}`,
        `failing rules: ${failing.length ? failing.join(', ') : 'none'}`,
        '',
      ].join('\n'),
    );
  }
} finally {
  platform.close();
}

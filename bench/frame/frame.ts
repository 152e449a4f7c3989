/**
 * Reading a wide numeric result: readFrame (raw vector bytes into typed arrays) against DuckDB's own
 * getRowsJS() (one JS value per cell), on the same 1,000,000 × 20 DOUBLE table in one run.
 * Run with `npx tsx bench/frame/frame.ts`.
 */
import { performance } from 'node:perf_hooks';
import { Database } from '../../src/warehouse/database.js';
import { readFrame } from '../../src/warehouse/frame-io.js';

const ROWS = 1_000_000;
const COLS = 20;
const REPEATS = 3;
const SQL = 'SELECT * FROM wide';

/** Median wall time in ms of `REPEATS` runs after one warm-up. */
async function time(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

const db = await Database.open(':memory:');
try {
  // hash() makes the values fixed and irregular without a random generator.
  const columns = Array.from(
    { length: COLS },
    (_, k) => `(hash(i * ${COLS} + ${k}) % 1000003)::DOUBLE / 1000 AS c${k}`,
  );
  await db.run(`CREATE TABLE wide AS SELECT ${columns.join(', ')} FROM range(${ROWS}) r(i)`);

  const ours = await time(async () => {
    const frame = await readFrame(db, SQL);
    if (frame.rows !== ROWS) throw new Error(`readFrame returned ${frame.rows} rows`);
  });
  const reference = await time(() =>
    db.use(async (connection) => {
      const rows = await (await connection.stream(SQL)).getRowsJS();
      if (rows.length !== ROWS) throw new Error(`getRowsJS returned ${rows.length} rows`);
    }),
  );

  const rate = (ms: number): string =>
    `${((ROWS / ms) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })} rows/s`;
  console.log(
    `read ${ROWS.toLocaleString('en-US')} rows × ${COLS} DOUBLE columns (median of ${REPEATS} after a warm-up)`,
  );
  console.log(`  readFrame          ${ours.toFixed(0).padStart(7)} ms  ${rate(ours)}`);
  console.log(`  getRowsJS (DuckDB) ${reference.toFixed(0).padStart(7)} ms  ${rate(reference)}`);
  console.log(`  ours / reference throughput: ${(reference / ours).toFixed(1)}×`);
} finally {
  db.close();
}

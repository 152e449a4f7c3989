// The reference side of bench/ingest: plain DuckDB loading a CSV into a fresh on-disk database, run
// as its own process so it pays the same Node + tsx start-up as `cairn ingest`.
// Usage: node --import tsx bench/ingest/bare-duckdb.ts <csv> <database file>
// Prints {"rows": n, "seconds": s}, where seconds times the CREATE TABLE statement alone.
import { DuckDBInstance } from '@duckdb/node-api';
import { literal } from '../../src/warehouse/sql.js';

const [csv, file] = process.argv.slice(2);
if (!csv || !file) throw new Error('usage: bare-duckdb.ts <csv> <database file>');

const instance = await DuckDBInstance.create(file);
const connection = await instance.connect();
const started = performance.now();
await connection.run(`CREATE TABLE flights AS SELECT * FROM read_csv(${literal(csv)})`);
const seconds = (performance.now() - started) / 1000;
const count = await connection.runAndReadAll('SELECT count(*) FROM flights');
const rows = Number(count.getRows()[0]?.[0] ?? -1);
connection.closeSync();
// Closing checkpoints the database, as Cairn's CLI does when it closes its workspace.
instance.closeSync();
console.log(JSON.stringify({ rows, seconds }));

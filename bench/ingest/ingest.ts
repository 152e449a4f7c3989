// Benchmark: `cairn ingest` of a large real CSV against bare DuckDB `CREATE TABLE … AS SELECT * FROM
// read_csv(…)` into a fresh on-disk database, both as whole processes and in-process, from one run.
// Usage: npx tsx bench/ingest/ingest.ts [--rows N] [--repeat N] [--json]
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { literal } from '../../src/warehouse/sql.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/out');
const CAIRN = path.join(ROOT, 'bin/cairn.js');
const BARE = path.join(ROOT, 'bench/ingest/bare-duckdb.ts');
/** 3,000,000 real US domestic flights of 2001 (vega-datasets): date, delay, distance, origin, destination. */
const SOURCE = '/work/shared/datasets/tabular/vega_flights/flights-3m.parquet';
const SOURCE_ROWS = 3_000_000;
const TARGET_RATIO = 1.2;

interface Options {
  rows: number;
  repeat: number;
  json: boolean;
}

/** One timed run: wall time of the whole child process and the time the child reports for itself. */
interface Sample {
  wall: number;
  inner: number;
  rows: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '6000000' },
      repeat: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(rows) || rows < 1) {
    throw new Error(`--rows must be a positive integer, got '${values.rows}'`);
  }
  if (!Number.isInteger(repeat) || repeat < 3) {
    throw new Error(`--repeat must be an integer ≥ 3, got '${values.repeat}'`);
  }
  return { rows, repeat, json: values.json };
}

function countLabel(rows: number): string {
  return rows % 1_000_000 === 0 ? `${rows / 1_000_000}m` : String(rows);
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/**
 * The benchmark CSV with `rows` data rows: the real flights first, then, past 3,000,000, further
 * copies of them shifted by one more year each — scale added to real data, never synthetic rows.
 * Built once into bench/out/ and reused while its row count is right.
 */
async function buildCsv(rows: number, log: (line: string) => void): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `flights-${countLabel(rows)}.csv`);
  if (existsSync(file) && (await countLines(file)) === rows + 1) return file;
  log(`building ${path.relative(ROOT, file)} (${rows.toLocaleString('en')} rows) from ${SOURCE}`);
  const parts: string[] = [];
  for (let k = 0; k * SOURCE_ROWS < rows; k++) {
    const take = Math.min(SOURCE_ROWS, rows - k * SOURCE_ROWS);
    const date = k === 0 ? 'date' : `date + INTERVAL ${k} YEAR AS date`;
    parts.push(
      `(SELECT ${date}, delay, distance, origin, destination FROM read_parquet(${literal(SOURCE)}) LIMIT ${take})`,
    );
  }
  const partial = `${file}.partial`;
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    await connection.run(
      `COPY (${parts.join(' UNION ALL ')}) TO ${literal(partial)} (FORMAT csv, HEADER true)`,
    );
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
  renameSync(partial, file);
  return file;
}

function runChild(args: string[]): Promise<{ wall: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code === 0) resolve({ wall, stdout });
      else reject(new Error(`node ${args.join(' ')} exited with code ${code}:\n${stderr}${stdout}`));
    });
  });
}

async function countTable(file: string, table: string): Promise<number> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
    connection.closeSync();
    return Number(reader.getRows()[0]?.[0] ?? -1);
  } finally {
    instance.closeSync();
  }
}

/** `cairn ingest` through the real CLI into a fresh workspace; the row count is read back from its table. */
async function runCairn(csv: string, scratch: string): Promise<Sample> {
  const home = mkdtempSync(path.join(scratch, 'cairn-'));
  try {
    const { wall, stdout } = await runChild([
      CAIRN,
      '--home',
      home,
      'ingest',
      csv,
      '--table',
      'flights',
      '--json',
    ]);
    const report = JSON.parse(stdout) as { accepted: number; quarantined: number; seconds: number };
    if (report.quarantined !== 0) {
      throw new Error(`cairn quarantined ${report.quarantined} records of ${csv}`);
    }
    const rows = await countTable(path.join(home, 'warehouse.duckdb'), 'flights');
    if (rows !== report.accepted) {
      throw new Error(`cairn reported ${report.accepted} accepted rows but its table holds ${rows}`);
    }
    return { wall, inner: report.seconds, rows };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Bare DuckDB in its own process, into a fresh database file. */
async function runDuckdb(csv: string, scratch: string): Promise<Sample> {
  const dir = mkdtempSync(path.join(scratch, 'duckdb-'));
  try {
    const { wall, stdout } = await runChild(['--import', 'tsx', BARE, csv, path.join(dir, 'bare.duckdb')]);
    const result = JSON.parse(stdout) as { rows: number; seconds: number };
    return { wall, inner: result.seconds, rows: result.rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(rows: number, cairn: number[], duckdb: number[]) {
  const cairnSeconds = median(cairn);
  const duckdbSeconds = median(duckdb);
  return {
    cairnSeconds,
    duckdbSeconds,
    cairnRowsPerSecond: Math.round(rows / cairnSeconds),
    duckdbRowsPerSecond: Math.round(rows / duckdbSeconds),
    ratio: cairnSeconds / duckdbSeconds,
    cairnSamples: cairn,
    duckdbSamples: duckdb,
  };
}

type Summary = ReturnType<typeof summarize>;

function spread(samples: number[]): string {
  return `${Math.min(...samples).toFixed(2)}–${Math.max(...samples).toFixed(2)}`;
}

function formatTable(
  rows: number,
  csvBytes: number,
  repeat: number,
  load: number[],
  whole: Summary,
  inner: Summary,
): string {
  const header = ['timing', 'rows', 'Cairn s', 'Cairn rows/s', 'DuckDB s', 'DuckDB rows/s', 'Cairn / DuckDB'];
  const line = (name: string, s: Summary) => [
    name,
    rows.toLocaleString('en'),
    s.cairnSeconds.toFixed(2),
    s.cairnRowsPerSecond.toLocaleString('en'),
    s.duckdbSeconds.toFixed(2),
    s.duckdbRowsPerSecond.toLocaleString('en'),
    `${s.ratio.toFixed(2)} ${s.ratio <= TARGET_RATIO ? '(≤ 1.2 ok)' : '(> 1.2 target)'}`,
  ];
  const table = [header, line('whole process', whole), line('in-process', inner)];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const render = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [
    render(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...table.slice(1).map(render),
    '',
    `CSV ${(csvBytes / 1e6).toFixed(0)} MB; medians of ${repeat} runs after one warm-up, interleaved.`,
    'whole process: spawn to exit, Node + tsx start-up and the closing checkpoint included;',
    'in-process: Cairn\'s reported "seconds" (ingest() call) vs the bare CREATE TABLE … AS statement.',
    `spread (whole process): Cairn ${spread(whole.cairnSamples)} s, DuckDB ${spread(whole.duckdbSamples)} s; ` +
      `load average ${load.map((l) => l.toFixed(1)).join(' → ')} (${os.cpus().length} cores)`,
  ].join('\n');
}

const options = readOptions();
const log = (line: string) => console.error(line);
const csv = await buildCsv(options.rows, log);
const csvBytes = statSync(csv).size;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-ingest-'));
// The machine may be shared; the one-minute load average before and after tells a quiet run from a busy one.
const load = [os.loadavg()[0]];
try {
  const cairn: Sample[] = [];
  const duckdb: Sample[] = [];
  log(`warm-up: ${path.relative(ROOT, csv)}`);
  await runCairn(csv, scratch);
  await runDuckdb(csv, scratch);
  for (let i = 0; i < options.repeat; i++) {
    // Alternate which side goes first, so neither always inherits the other's cache or heat.
    let c: Sample, d: Sample;
    if (i % 2 === 0) {
      c = await runCairn(csv, scratch);
      d = await runDuckdb(csv, scratch);
    } else {
      d = await runDuckdb(csv, scratch);
      c = await runCairn(csv, scratch);
    }
    cairn.push(c);
    duckdb.push(d);
    if (c.rows !== d.rows || c.rows !== options.rows) {
      throw new Error(
        `row count mismatch on ${csv}: cairn loaded ${c.rows}, duckdb ${d.rows}, the file holds ${options.rows}`,
      );
    }
    log(
      `run ${i + 1}/${options.repeat}: cairn ${c.wall.toFixed(2)} s (${c.inner.toFixed(2)} in-process), duckdb ${d.wall.toFixed(2)} s (${d.inner.toFixed(2)} in-process)`,
    );
  }
  load.push(os.loadavg()[0]);
  const whole = summarize(
    options.rows,
    cairn.map((s) => s.wall),
    duckdb.map((s) => s.wall),
  );
  const inner = summarize(
    options.rows,
    cairn.map((s) => s.inner),
    duckdb.map((s) => s.inner),
  );
  if (options.json) {
    console.log(
      JSON.stringify({
        rows: options.rows,
        csv: path.relative(ROOT, csv),
        csvBytes,
        repeat: options.repeat,
        targetRatio: TARGET_RATIO,
        loadAverage: load,
        cores: os.cpus().length,
        wholeProcess: whole,
        inProcess: inner,
      }),
    );
  } else {
    console.log(formatTable(options.rows, csvBytes, options.repeat, load, whole, inner));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

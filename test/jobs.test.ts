import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { buildServer } from '../src/server/app.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { openWorkspace } from '../src/warehouse/workspace.js';
import { adminAuth, CHURN_CSV, ROOT, tempDir } from './support.js';

const run = promisify(execFile);
const CAIRN = path.join(ROOT, 'bin', 'cairn.js');
const SPEC = {
  name: 'churn',
  algorithm: 'gbdt',
  data: { table: 'churn' },
  target: 'Churn',
  params: { n_estimators: 30 },
};

async function cairnJson<T = Record<string, unknown>>(home: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [CAIRN, '--home', home, ...args, '--json'], { cwd: ROOT });
  return JSON.parse(stdout) as T;
}

/** Runs a query on a workspace no process holds open. */
async function query(home: string, sql: string) {
  const workspace = await openWorkspace(home);
  try {
    return await workspace.db.rows(sql);
  } finally {
    workspace.close();
  }
}

describe('cairn score and cairn jobs', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'ws');
  after(() => tmp.remove());

  before(async () => {
    await cairnJson(home, 'ingest', CHURN_CSV, '--table', 'churn');
    const spec = path.join(tmp.dir, 'churn.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    await cairnJson(home, 'train', spec);
    // 20 copies of the real rows, numbered, so a resumed run can be checked row by row.
    await cairnJson(
      home,
      'query',
      '--write',
      'CREATE TABLE big AS SELECT row_number() OVER () AS row_no, c.* FROM churn c, range(20)',
    );
  });

  test('scores equal `cairn predict` on the same rows', async () => {
    const report = await cairnJson<{ rows: number; chunks: number; columns: string[] }>(
      home,
      'score',
      'churn',
      '--table',
      'churn',
      '--into',
      'churn_scores',
      '--chunk-rows',
      '3000',
    );
    assert.equal(report.rows, 7043);
    assert.equal(report.chunks, 3);
    const file = path.join(tmp.dir, 'predicted.parquet');
    await cairnJson(home, 'predict', 'churn', '--input', 'churn', '--output', file);
    const [same] = await query(
      home,
      `SELECT count(*) AS n, count(*) FILTER (WHERE s.prediction = p.prediction AND s.probability = p.probability) AS equal
       FROM churn_scores s JOIN read_parquet('${file}') p USING (customerID)`,
    );
    assert.deepEqual(same, { n: 7043, equal: 7043 });
  });

  test('a score process killed mid-way resumes without duplicates or gaps', async () => {
    const args = [CAIRN, '--home', home, 'score', 'churn', '--table', 'big', '--into', 'big_scores'];
    const child = spawn(process.execPath, [...args, '--chunk-rows', '1000', '--threads', '1'], { cwd: ROOT });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
        // The first progress line comes once a chunk is committed.
        if (/chunk \d+ of \d+ committed/.test(stderr)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`score ended before it was killed: ${stderr}`)));
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const [partial] = await query(
      home,
      `SELECT (SELECT count(*) FROM big_scores) AS rows,
              (SELECT count(*) FROM cairn.score_chunks JOIN cairn.score_runs r ON run_id = r.id
               WHERE r.output_table = 'big_scores') AS chunks`,
    );
    const total = Math.ceil((7043 * 20) / 1000);
    assert.ok(Number(partial.chunks) >= 1 && Number(partial.chunks) < total, JSON.stringify(partial));
    assert.equal(partial.rows, Number(partial.chunks) * 1000);

    const report = await cairnJson<{ rows: number; resumedChunks: number }>(
      home,
      'score',
      'churn',
      '--table',
      'big',
      '--into',
      'big_scores',
      '--chunk-rows',
      '1000',
    );
    assert.equal(report.rows, 7043 * 20);
    assert.ok(report.resumedChunks >= Number(partial.chunks), JSON.stringify(report));
    const [check] = await query(
      home,
      `SELECT count(*) AS n, count(DISTINCT row_no) AS distinct_rows,
              count(*) FILTER (WHERE b.probability = s.probability) AS equal
       FROM big_scores b JOIN churn_scores s USING (customerID)`,
    );
    assert.deepEqual(check, { n: 7043 * 20, distinct_rows: 7043 * 20, equal: 7043 * 20 });
  });

  test('cairn jobs lists, shows and cancels queued jobs', async () => {
    const { jobs } = await cairnJson<{ jobs: unknown[] }>(home, 'jobs', 'list');
    assert.deepEqual(jobs, []);
    const schedule = await cairnJson<{ id: string; next: string }>(
      home,
      'jobs',
      'schedule-score',
      'churn',
      '--table',
      'churn',
      '--into',
      'nightly',
      '--cron',
      '0 3 * * *',
    );
    assert.equal(schedule.id, 'score:nightly');
    const { schedules } = await cairnJson<{ schedules: { id: string }[] }>(home, 'jobs', 'schedules');
    assert.deepEqual(
      schedules.map((s) => s.id),
      ['score:nightly'],
    );
    // A job queued while no server runs waits in the workspace; the CLI can cancel it.
    const platform = await openPlatform({ home, logger: silentLogger });
    const id = await platform.jobs.queue.enqueue('score', { model: 'churn', table: 'churn', into: 'later' });
    platform.close();
    const shown = await cairnJson<{ status: string }>(home, 'jobs', 'show', id);
    assert.equal(shown.status, 'queued');
    const cancelled = await cairnJson<{ status: string }>(home, 'jobs', 'cancel', id);
    assert.equal(cancelled.status, 'cancelled');
    try {
      await run(process.execPath, [CAIRN, '--home', home, 'jobs', 'cancel', id, '--json'], { cwd: ROOT });
      assert.fail('cancelling twice should fail');
    } catch (error) {
      const { stderr, code } = error as { stderr: string; code: number };
      assert.equal(code, 1);
      assert.equal((JSON.parse(stderr) as { error: { code: string } }).error.code, 'CONFLICT');
    }
  });

  test('training a spec with a schedule stores its retraining schedule', async () => {
    const spec = path.join(tmp.dir, 'weekly.json');
    writeFileSync(spec, JSON.stringify({ ...SPEC, name: 'churn_weekly', schedule: '0 4 * * 1' }));
    const report = await cairnJson<{ version: number; schedule: { id: string; cron: string; next: string } }>(
      home,
      'train',
      spec,
    );
    assert.equal(report.version, 1);
    assert.equal(report.schedule.id, 'train:churn_weekly');
    assert.equal(report.schedule.cron, '0 4 * * 1');
    assert.equal(new Date(report.schedule.next).getUTCDay(), 1);
    const { schedules } = await cairnJson<{ schedules: { id: string }[] }>(home, 'jobs', 'schedules');
    assert.ok(
      schedules.some((s) => s.id === 'train:churn_weekly'),
      JSON.stringify(schedules),
    );
  });
});

describe('/v1/jobs', () => {
  const tmp = tempDir();
  let platform: Platform;
  let app: FastifyInstance;
  let base: string;
  let auth: Record<string, string>;

  before(async () => {
    platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
    await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
    app = await buildServer(platform, { logger: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    auth = await adminAuth(platform);
  });
  after(async () => {
    await app.close();
    platform.close();
    tmp.remove();
  });

  async function call(method: string, url: string, body?: unknown) {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function finished(id: string) {
    for (;;) {
      const { body } = await call('GET', `/v1/jobs/${id}`);
      if (['succeeded', 'failed', 'cancelled'].includes(body.status as string)) return body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('train then score as jobs: 202 with an id, then status, progress, result and log', async () => {
    const train = await call('POST', '/v1/jobs', { kind: 'train', spec: SPEC });
    assert.equal(train.status, 202);
    const trained = await finished(train.body.id as string);
    assert.equal(trained.status, 'succeeded', JSON.stringify(trained));
    assert.equal((trained.result as { version: number }).version, 1);
    assert.equal(trained.progress, 1);

    const score = await call('POST', '/v1/jobs', {
      kind: 'score',
      model: 'churn',
      table: 'churn',
      into: 'churn_scores',
      chunk_rows: 2500,
    });
    assert.equal(score.status, 202);
    const scored = await finished(score.body.id as string);
    assert.equal(scored.status, 'succeeded');
    assert.equal((scored.result as { rows: number }).rows, 7043);
    const log = scored.log as { level: string; message: string }[];
    assert.ok(log.some((e) => /7,043 rows in churn_scores/.test(e.message)));

    const listed = await call('GET', '/v1/jobs?kind=score');
    assert.deepEqual(
      (listed.body.jobs as { id: string }[]).map((j) => j.id),
      [score.body.id],
    );
  });

  test("a failing job's error is in its status and log; bad requests get 400/404/409", async () => {
    const failing = await call('POST', '/v1/jobs', {
      kind: 'score',
      model: 'churn',
      table: 'nope',
      into: 'x',
    });
    const failed = await finished(failing.body.id as string);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error as string, /table 'nope' does not exist/);
    assert.ok((failed.log as { level: string }[]).some((e) => e.level === 'error'));
    assert.equal((await call('POST', `/v1/jobs/${failing.body.id as string}/cancel`)).status, 409);

    const bad = await call('POST', '/v1/jobs', { kind: 'score', model: 'churn', table: 'churn' });
    assert.equal(bad.status, 400);
    assert.match((bad.body.error as { message: string }).message, /into/);
    const badSpec = await call('POST', '/v1/jobs', { kind: 'train', spec: { name: 'x' } });
    assert.equal(badSpec.status, 400);
    assert.equal((await call('GET', '/v1/jobs/none')).status, 404);
    const openapi = await call('GET', '/openapi.json');
    const paths = Object.keys(openapi.body.paths as object);
    for (const p of ['/v1/jobs', '/v1/jobs/{id}', '/v1/jobs/{id}/cancel', '/v1/schedules']) {
      assert.ok(paths.includes(p), p);
    }
  });

  test('schedules are stored and listed over HTTP', async () => {
    const saved = await call('POST', '/v1/schedules', { kind: 'train', spec: SPEC, cron: '0 4 * * 1' });
    assert.equal(saved.status, 201);
    assert.equal(saved.body.id, 'train:churn');
    const listed = await call('GET', '/v1/schedules');
    assert.deepEqual(
      (listed.body.schedules as { id: string }[]).map((s) => s.id),
      ['train:churn'],
    );
    assert.equal((await call('DELETE', '/v1/schedules/train:churn')).status, 200);
    assert.equal((await call('DELETE', '/v1/schedules/train:churn')).status, 404);
  });
});

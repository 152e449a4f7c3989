import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { cliIdentity } from '../src/security/identity.js';
import type { Role } from '../src/security/roles.js';
import { buildServer } from '../src/server/app.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { readFeatureView } from '../src/features/views/feature-view.js';
import { parseSpec } from '../src/models/spec.js';
import { trainModel } from '../src/models/train.js';
import { caller, roleKeys, type Reply } from './security-support.js';
import { CHURN_CSV, tempDir } from './support.js';

// Each person appears twice so profiles have top values; row 6 breaks the country rule.
const PEOPLE = [
  'id,email,phone,salary,country,team',
  '1,ana.silva@example.com,+351 912 345 678,520137,PT,red',
  '2,ana.silva@example.com,+351 912 345 678,520137,PT,red',
  '3,bo.chen@example.org,+44 20 7946 0958,610271,UK,blue',
  '4,bo.chen@example.org,+44 20 7946 0958,610271,UK,blue',
  '5,carla.m@example.net,+1 (415) 555-0132,750493,US,red',
  '6,carla.m@example.net,+1 (415) 555-0132,750493,XX,blue',
].join('\n');
const CLEAR = [
  'ana.silva',
  'bo.chen',
  'carla.m',
  '912 345',
  '7946 0958',
  '555-0132',
  '520137',
  '610271',
  '750493',
  'enc:v',
];

const tmp = tempDir();
let platform: Platform;
let app: FastifyInstance;
let call: ReturnType<typeof caller>;
let keys: Record<Role, string>;

/** Asserts that nothing of the clear email, phone or salary values appears in a response. */
function assertNoClear(reply: Reply, what: string) {
  assert.equal(reply.status, 200, `${what}: ${reply.text.slice(0, 300)}`);
  for (const clear of CLEAR) {
    const at = reply.text.indexOf(clear);
    assert.equal(at, -1, `${what} shows '${clear}': …${reply.text.slice(Math.max(0, at - 60), at + 60)}…`);
  }
}

before(async () => {
  platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
  const file = path.join(tmp.dir, 'people.csv');
  writeFileSync(file, PEOPLE);
  await ingest(platform.db, { source: file, table: 'people' });
  writeFileSync(path.join(tmp.dir, 'secret.csv'), 'code\nPT\nUK\n');
  await ingest(platform.db, { source: path.join(tmp.dir, 'secret.csv'), table: 'secret_codes' });
  const admin = cliIdentity();
  await platform.security.mask(admin, 'people', 'email', 'email', ['engineer']);
  await platform.security.mask(admin, 'people', 'salary', 'redact', ['engineer']);
  await platform.security.encrypt(admin, 'people', 'phone', ['engineer']);
  await platform.security.grant(admin, 'secret_codes', 'engineer');
  writeFileSync(
    path.join(tmp.dir, 'staff.csv'),
    'id,email,tenure,left\n1,dee@example.com,3,0\n2,eli@example.com,14,1\n3,fay@example.com,7,0\n',
  );
  await ingest(platform.db, { source: path.join(tmp.dir, 'staff.csv'), table: 'staff' });
  await platform.security.mask(admin, 'staff', 'email', 'redact');
  await ingest(platform.db, { source: path.join(tmp.dir, 'staff.csv'), table: 'payroll' });
  await platform.security.grant(admin, 'payroll', 'analyst');
  writeFileSync(
    path.join(tmp.dir, 'visits.csv'),
    'customer,email,amount,ts\nc1,ana.silva@example.com,520137,2024-01-01 10:00:00\nc1,ana.silva@example.com,610271,2024-01-02 10:00:00\n',
  );
  await ingest(platform.db, { source: path.join(tmp.dir, 'visits.csv'), table: 'visits' });
  await platform.security.mask(admin, 'visits', 'email', 'email', ['engineer']);
  await platform.security.mask(admin, 'visits', 'amount', 'redact', ['engineer']);
  writeFileSync(
    path.join(tmp.dir, 'visits.yaml'),
    'name: visits_v\nentity: customer\ntimestamp: ts\nsource: { table: visits }\nfeatures:\n  - { name: last_email, column: email, agg: last }\n  - { name: spend, column: amount, agg: sum }\n  - { name: visits, agg: count }\n',
  );
  await platform.features.apply(readFeatureView(path.join(tmp.dir, 'visits.yaml')));
  await platform.features.materialize('visits_v', new Date('2024-02-01T00:00:00Z'));
  await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
  await platform.security.mask(admin, 'churn', 'PaymentMethod', 'partial');
  await platform.security.mask(admin, 'churn', 'MonthlyCharges', 'redact');
  await trainModel(
    platform.db,
    platform.workspace.artifacts,
    parseSpec({
      name: 'churn_card',
      task: 'binary',
      algorithm: 'logistic',
      data: { table: 'churn' },
      target: 'Churn',
      features: ['PaymentMethod', 'MonthlyCharges', 'tenure'],
      seed: 7,
    }),
  );
  app = await buildServer(platform, { logger: false });
  call = caller(await app.listen({ port: 0, host: '127.0.0.1' }));
  keys = await roleKeys(platform);
  const saved = await call('PUT', '/v1/tables/people/rules', {
    key: keys.admin,
    body: {
      rules: [
        { check: 'in_set', column: 'country', values: ['PT', 'UK', 'US'] },
        { check: 'mean', column: 'salary', min: 0, max: 1 },
      ],
    },
  });
  assert.equal(saved.status, 200, saved.text);
});

after(async () => {
  await app.close();
  platform.close();
  tmp.remove();
});

type Column = { name: string; min: unknown; max: unknown; mean: unknown; top: { value: unknown }[] };
const column = (reply: Reply, name: string) =>
  (reply.body.columns as Column[]).find((c) => c.name === name) as Column;

describe('every output of cell values applies the caller’s masks', () => {
  test('profile: an analyst sees masked extremes and top values; the engineer sees them clear', async () => {
    const masked = await call('GET', '/v1/tables/people/profile', { key: keys.analyst });
    assertNoClear(masked, 'analyst profile');
    const email = column(masked, 'email');
    assert.equal(email.min, 'a***@example.com');
    assert.deepEqual(
      email.top.map((t) => t.value),
      ['a***@example.com', 'b***@example.org', 'c***@example.net'],
    );
    assert.equal(column(masked, 'phone').min, '***', 'sealed values are redacted');
    assert.equal(column(masked, 'salary').mean, null, 'the mean of a masked column is withheld');
    assert.equal(column(masked, 'salary').max, '***');
    const clear = await call('GET', '/v1/tables/people/profile', { key: keys.engineer });
    assert.equal(column(clear, 'email').min, 'ana.silva@example.com');
    assert.match(String(column(clear, 'phone').min), /^\+\d/, 'readers see sealed values opened');
    assert.equal(column(clear, 'salary').max, 750493);
  });

  test('profile comparison, suggestions and the quality report (HTML and JSON) are masked', async () => {
    assertNoClear(await call('GET', '/v1/tables/people/profile/compare', { key: keys.analyst }), 'compare');
    const suggested = await call('GET', '/v1/tables/people/rules/suggest', { key: keys.analyst });
    assertNoClear(suggested, 'suggest');
    const rules = suggested.body.rules as { check: string; column?: string }[];
    assert.ok(
      !rules.some((r) => r.column === 'email' && r.check === 'regex'),
      'no value rules on masked columns',
    );
    assert.ok(
      rules.some((r) => r.column === 'country' && r.check === 'not_null'),
      'clear columns keep theirs',
    );
    const json = await call('GET', '/v1/tables/people/report?format=json', { key: keys.analyst });
    assertNoClear(json, 'report json');
    assertNoClear(await call('GET', '/v1/tables/people/report', { key: keys.analyst }), 'report html');
    assert.match((await call('GET', '/v1/tables/people/report', { key: keys.admin })).text, /ana\.silva/);
  });

  test('check: failing sample rows are masked and hidden measures withheld', async () => {
    const checked = await call('POST', '/v1/tables/people/check', { key: keys.analyst });
    assertNoClear(checked, 'check');
    const [inSet, mean] = checked.body.results as { sample: Record<string, unknown>[]; observed: unknown }[];
    assert.deepEqual(inSet.sample, [
      { id: 6, email: 'c***@example.net', phone: '***', salary: '***', country: 'XX', team: 'blue' },
    ]);
    assert.equal(mean.observed, null);
    const clear = await call('POST', '/v1/tables/people/check', { key: keys.engineer });
    const [clearSet] = clear.body.results as { sample: Record<string, unknown>[] }[];
    assert.equal(clearSet.sample[0].email, 'carla.m@example.net');
    assert.equal(clearSet.sample[0].phone, '+1 (415) 555-0132');
  });

  test('check: rules a caller writes may not read masked columns or closed tables', async () => {
    const refused = [
      { check: 'regex', column: 'email', pattern: '^ana' },
      { check: 'range', column: 'salary', min: 60000 },
      { check: 'sql', predicate: "email NOT LIKE 'ana%'" },
      { check: 'sql', predicate: 'country IN (SELECT code FROM secret_codes)' },
      { check: 'sql', predicate: 'country <> (SELECT max(email) FROM people)' },
      {
        check: 'sql',
        predicate: "length(getenv('HOME')) > 0 OR country IN (SELECT * FROM read_csv('/etc/passwd'))",
      },
      { check: 'references', column: 'country', table: 'secret_codes', ref_column: 'code' },
    ];
    for (const rule of refused) {
      const reply = await call('POST', '/v1/tables/people/check?record=false', {
        key: keys.analyst,
        body: { rules: [rule] },
      });
      assert.equal(reply.status, 403, `${JSON.stringify(rule)}: ${reply.text.slice(0, 200)}`);
      assert.equal(reply.body.error?.code, 'FORBIDDEN');
    }
    const saving = await call('PUT', '/v1/tables/people/rules', {
      key: keys.engineer,
      body: { rules: [{ check: 'sql', predicate: 'country IN (SELECT code FROM secret_codes)' }] },
    });
    assert.equal(saving.status, 403, 'saved rules are guarded too (engineers write them)');
    const allowed = await call('POST', '/v1/tables/people/check?record=false', {
      key: keys.analyst,
      body: {
        rules: [
          { check: 'not_null', column: 'email' },
          { check: 'sql', predicate: "country <> 'XX'" },
        ],
      },
    });
    assertNoClear(allowed, 'allowed rules');
    const engineer = await call('POST', '/v1/tables/people/check?record=false', {
      key: keys.engineer,
      body: {
        rules: [{ check: 'references', column: 'country', table: 'secret_codes', ref_column: 'code' }],
      },
    });
    assert.equal(engineer.status, 200, 'a role with the grant and a clear view may');
    assert.equal((engineer.body.results as { failing: number }[])[0].failing, 2);
  });

  test('dedup: duplicate clusters are masked; a clear copy is refused', async () => {
    const found = await call('POST', '/v1/tables/people/dedup', {
      key: keys.analyst,
      body: { key: ['email'] },
    });
    assertNoClear(found, 'dedup');
    assert.equal(found.body.clusters, 3);
    const copy = await call('POST', '/v1/tables/people/dedup', {
      key: keys.analyst,
      body: { key: ['email'], output: 'people_copy' },
    });
    assert.equal(copy.status, 403);
    const engineer = await call('POST', '/v1/tables/people/dedup', {
      key: keys.engineer,
      body: { key: ['email'], output: 'people_dedup' },
    });
    assert.equal(engineer.status, 200, engineer.text.slice(0, 200));
  });

  test('the dashboard rows route reads through the masked query path', async () => {
    const page = await call('GET', '/v1/tables/people/rows?limit=6', { key: keys.analyst });
    assertNoClear(page, 'rows');
    const rows = page.body.rows as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2, 3, 4, 5, 6],
      'storage order',
    );
    assert.deepEqual(rows[0], {
      id: 1,
      email: 'a***@example.com',
      phone: '***',
      salary: '***',
      country: 'PT',
      team: 'red',
    });
    const second = await call('GET', '/v1/tables/people/rows?offset=4&limit=1', { key: keys.engineer });
    assert.deepEqual(second.body.rows, [
      {
        id: 5,
        email: 'carla.m@example.net',
        phone: '+1 (415) 555-0132',
        salary: 750493,
        country: 'US',
        team: 'red',
      },
    ]);
    const log = await platform.security.audit.list({ action: 'query' });
    assert.ok(
      log.some((e) => e.object === 'people'),
      'reads of a sensitive table are audited',
    );
  });

  test('a table granted to engineers is closed to analysts on every row-returning route', async () => {
    for (const [method, url, body] of [
      ['GET', '/v1/tables/secret_codes/rows', undefined],
      ['GET', '/v1/tables/secret_codes/profile', undefined],
      ['GET', '/v1/tables/secret_codes/report', undefined],
      ['POST', '/v1/tables/secret_codes/check', { rules: [{ check: 'not_null', column: 'code' }] }],
      ['POST', '/v1/tables/secret_codes/dedup', {}],
      ['POST', '/v1/query', { sql: 'SELECT * FROM secret_codes' }],
    ] as const) {
      const reply = await call(method, url, { key: keys.analyst, body });
      assert.equal(reply.status, 403, `${method} ${url}`);
      assert.ok(!reply.text.includes('"PT"'), `${method} ${url} shows a value`);
    }
    assert.equal((await call('GET', '/v1/tables/secret_codes/rows', { key: keys.engineer })).status, 200);
  });

  test('jobs: no server files, and no training on or scored copies of masked columns', async () => {
    const spec = (over: Record<string, unknown>) => ({
      name: 'staff_left',
      task: 'binary',
      algorithm: 'gbdt',
      data: { table: 'staff' },
      target: 'left',
      ...over,
    });
    const refused = [
      { kind: 'train', spec: spec({}) },
      { kind: 'train', spec: spec({ features: ['email', 'tenure'] }) },
      { kind: 'train', spec: spec({ data: { file: '../../../../etc/passwd' } }) },
      { kind: 'train', spec: spec({ data: { query: 'SELECT * FROM staff' } }) },
      { kind: 'train', spec: spec({ data: { query: "SELECT * FROM read_csv('/etc/passwd')" } }) },
      { kind: 'train', spec: spec({ data: { table: 'payroll' }, features: ['tenure'] }) },
      { kind: 'score', model: 'staff_left', table: 'staff', into: 'staff_scored' },
    ];
    for (const body of refused) {
      for (const route of ['/v1/jobs', '/v1/schedules']) {
        const reply = await call('POST', route, {
          key: keys.engineer,
          body: route === '/v1/schedules' ? { ...body, cron: '0 3 1 1 *' } : body,
        });
        assert.equal(reply.status, 403, `${route} ${JSON.stringify(body)}: ${reply.text.slice(0, 200)}`);
      }
    }
    const allowed = await call('POST', '/v1/schedules', {
      key: keys.engineer,
      body: { kind: 'train', spec: spec({ features: { exclude: ['email'] } }), cron: '0 3 1 1 *' },
    });
    assert.equal(allowed.status, 201, allowed.text.slice(0, 200));
    const admin = await call('POST', '/v1/schedules', {
      key: keys.admin,
      body: { kind: 'train', spec: spec({}), cron: '0 3 1 1 *' },
    });
    assert.equal(admin.status, 201, 'admin sees every column');
  });

  test('online features computed from masked columns are masked', async () => {
    const one = await call('GET', '/v1/features/visits_v/c1', { key: keys.analyst });
    assertNoClear(one, 'feature lookup');
    assert.deepEqual(one.body.features, { last_email: 'a***@example.com', spend: '***', visits: 2 });
    const many = await call('POST', '/v1/features/visits_v/lookup', {
      key: keys.analyst,
      body: { entities: ['c1', 'nobody'] },
    });
    assertNoClear(many, 'feature batch lookup');
    assert.deepEqual(many.body.results, [
      { entity: 'c1', features: { last_email: 'a***@example.com', spend: '***', visits: 2 } },
      { entity: 'nobody', features: null },
    ]);
    const clear = await call('GET', '/v1/features/visits_v/c1', { key: keys.engineer });
    assert.deepEqual(clear.body.features, {
      last_email: 'ana.silva@example.com',
      spend: 520137 + 610271,
      visits: 2,
    });
  });

  test('model cards show their training data through the caller’s policy on its source', async () => {
    type Card = { training: { feature: string; min?: number; mean?: number; top?: { value: string }[] }[] };
    const training = async (role: Role, suffix = '') => {
      const reply = await call('GET', `/v1/models/churn_card/versions/1/card${suffix}`, { key: keys[role] });
      assert.equal(reply.status, 200, reply.text.slice(0, 200));
      return suffix ? reply.text : (reply.body as unknown as Card).training;
    };
    const clear = (await training('admin')) as Card['training'];
    const byName = (rows: Card['training'], prefix: string) => rows.find((c) => c.feature.startsWith(prefix));
    assert.ok(byName(clear, 'MonthlyCharges')?.mean, 'admin sees the moments');
    assert.ok(byName(clear, 'PaymentMethod')?.top?.some((t) => t.value === 'Electronic check'));
    for (const role of ['viewer', 'analyst'] as const) {
      const masked = (await training(role)) as Card['training'];
      assert.equal(byName(masked, 'MonthlyCharges')?.mean, undefined, `${role}: moments withheld`);
      assert.equal(byName(masked, 'MonthlyCharges')?.min, undefined);
      const top = byName(masked, 'PaymentMethod')?.top?.map((t) => t.value) ?? [];
      assert.ok(top.includes('E**************k'), `${role}: categories masked (${top.join(', ')})`);
      assert.ok(byName(masked, 'tenure')?.mean, 'clear columns keep theirs');
      const html = (await training(role, '.html')) as string;
      assert.ok(!html.includes('Electronic check'), `${role}: the HTML card is masked too`);
    }
  });
});

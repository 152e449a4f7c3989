import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { cliIdentity } from '../src/security/identity.js';
import type { Role } from '../src/security/roles.js';
import { buildServer } from '../src/server/app.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { caller, roleKeys, type Reply } from './security-support.js';
import { tempDir } from './support.js';

// Two tables with values found nowhere else: a response about one must never hold the other's.
// `beta` is granted to engineers only and `alpha.email` is masked, so analysts must see neither.
const ALPHA = ['ALPHA-MARK-5e1f', 'ALPHA-MARK-77b0', 'alpha.one@example.com', 'alpha.two@example.com'];
const ALPHA_CLEAR_EMAILS = ALPHA.slice(2);
const BETA = ['BETA-MARK-9c2d', 'BETA-MARK-03aa', 'beta.one@example.org'];
const BODY_LIMIT = 1_000_000;

/** Path parameter values: SQL injection, traversal, qualified and quoted names, control characters. */
const HOSTILE_NAMES = [
  "alpha' UNION SELECT * FROM beta --",
  'alpha; DROP TABLE beta; --',
  'alpha" OR 1=1 --',
  '../beta',
  '../../../../etc/passwd',
  '..\\..\\beta',
  'main.beta',
  'cairn.api_keys',
  'beta/../alpha',
  '%00',
  '\u0000alpha',
  'alpha\nbeta',
  'x'.repeat(400),
  '*',
];

/** Query string values for every declared query parameter. */
const HOSTILE_QUERY = [
  "' OR 1=1 --",
  '-1',
  '1e309',
  'NaN',
  '../../etc/passwd',
  'beta; DROP TABLE alpha',
  'x'.repeat(3000),
];

/** Request bodies: broken JSON, wrong shapes, injection in every field a route might read. */
const HOSTILE_BODIES: unknown[] = [
  '{"sql": ',
  '{"a": 1,}',
  '[]',
  'null',
  '"text"',
  '1e999',
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"role": "admin"}}}',
  {
    sql: 'SELECT * FROM alpha UNION ALL SELECT * FROM beta',
    params: ["' OR 1=1 --"],
    table: "beta' --",
    name: '../../../etc/passwd',
    into: '../../../tmp/cairn-evil',
    output: '../beta',
    key: ['email; DROP TABLE beta'],
    columns: 'id) FROM beta --',
    rules: [{ check: 'sql', predicate: '1=1) OR (SELECT count(*) FROM beta) > 0 OR (1=1' }],
    spec: {
      name: 'evil',
      task: 'binary',
      algorithm: 'gbdt',
      data: { file: '../../../../etc/passwd' },
      target: 'id',
    },
    role: 'root',
    expires: '-1d',
    entities: ["' OR 1=1 --"],
    rows: [{ id: "1' OR '1'='1", email: { $ne: null } }],
    limit: -5,
  },
  { token: 'A'.repeat(43), role: 'admin', user_id: "'; DELETE FROM beta; --", amount: 'NaN' },
];

const tmp = tempDir();
let platform: Platform;
let app: FastifyInstance;
let call: ReturnType<typeof caller>;
let keys: Record<Role, string>;
let snapshot: string;

const tableContents = async () =>
  JSON.stringify([
    await platform.db.rows('SELECT * FROM alpha ORDER BY id'),
    await platform.db.rows('SELECT * FROM beta ORDER BY id'),
  ]);

before(async () => {
  platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
  const alpha = path.join(tmp.dir, 'alpha.csv');
  writeFileSync(
    alpha,
    `id,email,note\n1,${ALPHA[2]},${ALPHA[0]}\n2,${ALPHA[3]},${ALPHA[1]}\n3,${ALPHA[3]},${ALPHA[1]}\n`,
  );
  const beta = path.join(tmp.dir, 'beta.csv');
  writeFileSync(beta, `id,email,note\n1,${BETA[2]},${BETA[0]}\n2,${BETA[2]},${BETA[1]}\n`);
  await ingest(platform.db, { source: alpha, table: 'alpha' });
  await ingest(platform.db, { source: beta, table: 'beta' });
  await platform.security.mask(cliIdentity(), 'alpha', 'email', 'email');
  await platform.security.grant(cliIdentity(), 'beta', 'engineer');
  app = await buildServer(platform, {
    logger: false,
    bodyLimit: BODY_LIMIT,
    maxUploadBytes: BODY_LIMIT,
  });
  call = caller(await app.listen({ port: 0, host: '127.0.0.1' }));
  keys = await roleKeys(platform);
  snapshot = await tableContents();
});

after(async () => {
  await app.close();
  platform.close();
  tmp.remove();
});

interface Operation {
  method: string;
  route: string;
  params: string[];
  query: string[];
  needs: string | null;
}

async function operations(): Promise<Operation[]> {
  const doc = (await call('GET', '/openapi.json', { key: keys.admin })).body as {
    paths: Record<
      string,
      Record<string, { parameters?: { in: string; name: string }[]; security?: { bearer: string[] }[] }>
    >;
  };
  const out: Operation[] = [];
  for (const [route, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const parameters = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        route,
        params: [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        needs: op.security?.[0]?.bearer[0] ?? null,
      });
    }
  return out;
}

/**
 * Routes where any name is a fair question with an empty answer rather than a 4xx: a data subject's
 * id, and an online view a stream may have written without a catalog entry. The marker checks still apply.
 */
const FREE_FORM = ['/v1/subjects/', '/v1/features/{view}/lookup'];

/** Permissions whose routes change tables, policies or models: admin calls there never name real tables. */
const MUTATING = new Set(['data:write', 'security:admin', 'models:train', 'models:promote']);
const hasBody = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH';

function fill(route: string, values: Record<string, string>): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
}

const problems: string[] = [];

/** Records a response that breaks a rule: a 5xx, or markers of a table the request may not see. */
function judge(what: string, reply: Reply, rules: { names?: string; role: Role; expect4xx?: boolean }) {
  const text = reply.text;
  if (reply.status >= 500) problems.push(`${what}: ${reply.status} ${text.slice(0, 160)}`);
  if (rules.expect4xx && (reply.status < 400 || reply.status >= 500))
    problems.push(`${what}: expected a 4xx, got ${reply.status} ${text.slice(0, 160)}`);
  if (/\$argon2|at .*\.ts:\d+|node:internal/.test(text)) problems.push(`${what}: secret or stack trace`);
  const shows = (markers: string[]) => markers.filter((m) => text.includes(m));
  const forbidden =
    rules.names === 'alpha'
      ? BETA
      : rules.names === 'beta'
        ? ALPHA
        : rules.names !== undefined
          ? [...ALPHA, ...BETA] // a hostile name must resolve to no table at all
          : [];
  const analystForbidden = rules.role === 'analyst' ? [...BETA, ...ALPHA_CLEAR_EMAILS] : [];
  const seen = shows([...new Set([...forbidden, ...analystForbidden])]);
  if (seen.length) problems.push(`${what}: shows ${seen.join(', ')}`);
}

test('fuzz: every route in the OpenAPI document, hostile names, queries and bodies: 4xx, never 5xx, never another table’s data', async () => {
  const ops = await operations();
  assert.ok(ops.length >= 40, `${ops.length} operations`);
  let calls = 0;
  for (const op of ops) {
    const tableRoute = op.route.startsWith('/v1/tables/{name}');
    const mutating = op.needs !== null && MUTATING.has(op.needs);
    const bodies = hasBody(op.method) ? HOSTILE_BODIES : [undefined];
    // Each path parameter in turn takes every hostile value (the others a plain 'x'); table routes
    // also get the two real tables, read by analysts and, where nothing can change, by admin.
    const variants: { values: Record<string, string>; names?: string; hostile: boolean }[] = [];
    for (const param of op.params) {
      for (const value of HOSTILE_NAMES)
        variants.push({ values: { [param]: value }, names: value, hostile: true });
      if (tableRoute && param === 'name')
        for (const real of ['alpha', 'beta'])
          variants.push({ values: { name: real }, names: real, hostile: false });
    }
    if (op.params.length === 0) variants.push({ values: {}, hostile: false });
    for (const variant of variants) {
      const url = fill(op.route, variant.values);
      for (const role of ['admin', 'analyst'] as const) {
        if (role === 'admin' && !variant.hostile && mutating) continue;
        for (const body of bodies) {
          const reply = await call(op.method, url, {
            key: keys[role],
            body,
            headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {},
          });
          calls++;
          const freeForm = FREE_FORM.some((prefix) => op.route.startsWith(prefix));
          judge(`${op.method} ${url} ${JSON.stringify(body)?.slice(0, 60)} as ${role}`, reply, {
            names: variant.names,
            role,
            expect4xx: variant.hostile && !freeForm && role === 'admin',
          });
        }
      }
    }
    const base = fill(op.route, { name: 'alpha' });
    for (const value of HOSTILE_QUERY) {
      if (op.query.length === 0) break;
      const qs = op.query.map((q) => `${q}=${encodeURIComponent(value)}`).join('&');
      for (const role of ['admin', 'analyst'] as const) {
        if (role === 'admin' && mutating) continue;
        const reply = await call(op.method, `${base}?${qs}`, {
          key: keys[role],
          body: hasBody(op.method) ? {} : undefined,
        });
        calls++;
        judge(`${op.method} ${base}?${qs.slice(0, 80)} as ${role}`, reply, {
          names: tableRoute ? 'alpha' : undefined,
          role,
        });
      }
    }
    if (hasBody(op.method)) {
      const url = fill(op.route, { name: 'no_such_table' });
      const broken = await call(op.method, url, {
        key: keys.admin,
        body: '{"broken": ',
        headers: { 'content-type': 'application/json' },
      });
      judge(`${op.method} ${url} broken JSON`, broken, { role: 'admin', expect4xx: true });
      const huge = await call(op.method, url, {
        key: keys.admin,
        body: JSON.stringify({ sql: 'x'.repeat(BODY_LIMIT + 10) }),
        headers: { 'content-type': 'application/json' },
      });
      if (huge.status !== 413) problems.push(`${op.method} ${url} huge body: ${huge.status}, expected 413`);
      calls += 2;
    }
  }
  // One line per route and kind of problem, with the first example, so a failure reads as a list of bugs.
  const byKind = new Map<string, string>();
  for (const problem of problems) {
    const [request, kind] = problem.split(/ as (?:admin|analyst): /);
    const [method, url] = request.split(' ');
    const path = url.split('?')[0];
    const route = ops.find(
      (o) => o.method === method && new RegExp(`^${o.route.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
    );
    const key = `${method} ${route?.route ?? path} ${kind.slice(0, 30)}`;
    if (!byKind.has(key)) byKind.set(key, problem.slice(0, 300));
  }
  assert.deepEqual([...byKind.values()], [], `${problems.length} problems in ${calls} requests`);
  assert.ok(calls > 3000, `${calls} hostile requests`);
  assert.equal((await call('GET', '/health')).status, 200, 'still up');
  assert.equal(await tableContents(), snapshot, 'both tables unchanged: no injected statement ran');
  const masked = await call('POST', '/v1/query', {
    key: keys.analyst,
    body: { sql: 'SELECT email FROM alpha' },
  });
  assert.equal((masked.body.rows as { email: string }[])[0].email, 'a***@example.com', 'policies unchanged');
});

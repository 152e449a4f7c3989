import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { cliIdentity } from '../src/security/identity.js';
import { ROLES, can, type Permission, type Role } from '../src/security/roles.js';
import { buildServer } from '../src/server/app.js';
import { ingest } from '../src/warehouse/ingest/ingest.js';
import { asText } from '../src/warehouse/values.js';
import { CHURN_CSV, tempDir } from './support.js';

const tmp = tempDir();
const JWT_SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
let platform: Platform;
let app: FastifyInstance;
let base: string;
const keys = {} as Record<Role, string>;

const PEOPLE = [
  'id,email,phone,ip,note',
  '1,ana.silva@example.com,+351 912 345 678,192.168.0.10,first',
  '2,bo.chen@example.org,+44 20 7946 0958,10.0.0.7,second',
  '3,carla.m@example.net,+1 (415) 555-0132,172.16.4.2,third',
].join('\n');

before(async () => {
  process.env.CAIRN_JWT_SECRET = JWT_SECRET;
  platform = await openPlatform({ home: path.join(tmp.dir, 'ws'), logger: silentLogger });
  delete process.env.CAIRN_JWT_SECRET;
  await ingest(platform.db, { source: CHURN_CSV, table: 'churn' });
  const people = path.join(tmp.dir, 'people.csv');
  writeFileSync(people, PEOPLE);
  await ingest(platform.db, { source: people, table: 'people' });
  app = await buildServer(platform, { logger: false, bodyLimit: 1_000_000, maxUploadBytes: 1_000_000 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const role of ROLES) keys[role] = (await platform.security.keys.create({ role })).key;
});

after(async () => {
  await app.close();
  platform.close();
  tmp.remove();
});

async function call(
  method: string,
  url: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${url}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let json: Record<string, unknown> & { error?: { code: string; message: string } } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // HTML and redirects have no JSON body.
  }
  return { status: response.status, body: json, headers: response.headers, text };
}

type Operation = { security?: { bearer: string[] }[] };

async function operations(): Promise<{ method: string; url: string; needs: string[] | null }[]> {
  const doc = (await call('GET', '/openapi.json', { key: keys.admin })).body as {
    paths: Record<string, Record<string, Operation>>;
  };
  const out = [];
  for (const [route, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const url = route.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'version' ? '1' : name === 'name' ? 'churn' : 'x',
      );
      out.push({
        method: method.toUpperCase(),
        url,
        needs: op.security?.length ? op.security[0].bearer : null,
      });
    }
  return out;
}

describe('authentication and roles', () => {
  test('every route in the OpenAPI document refuses a request without an identity or the needed role', async () => {
    const ops = await operations();
    assert.ok(ops.length >= 40, `${ops.length} operations`);
    let checked = 0;
    for (const { method, url, needs } of ops) {
      if (needs === null) continue;
      const anonymous = await call(method, url, {
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      assert.equal(anonymous.status, 401, `${method} ${url} without a key`);
      assert.equal(anonymous.body.error?.code, 'UNAUTHENTICATED');
      const forged = await call(method, url, { key: `cairn_k_000000000000.${'A'.repeat(43)}` });
      assert.equal(forged.status, 401, `${method} ${url} with a made-up key`);
      const permission = needs[0] as Permission | undefined;
      if (!permission) continue;
      for (const role of ROLES.filter((r) => !can(r, permission))) {
        const refused = await call(method, url, {
          key: keys[role],
          body: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        assert.equal(refused.status, 403, `${method} ${url} as ${role} needs ${permission}`);
        assert.equal(refused.body.error?.code, 'FORBIDDEN');
        checked++;
      }
    }
    assert.ok(checked > 50, `${checked} refusals checked`);
    assert.equal((await call('GET', '/health')).status, 200, '/health stays open');
  });

  test('roles: analyst queries, viewer lists but reads no rows, service only predicts', async () => {
    assert.equal(
      (
        await call('POST', '/v1/query', {
          key: keys.analyst,
          body: { sql: 'SELECT count(*) AS n FROM churn' },
        })
      ).status,
      200,
    );
    assert.equal(
      (await call('POST', '/v1/query', { key: keys.viewer, body: { sql: 'SELECT 1' } })).status,
      403,
    );
    assert.equal((await call('GET', '/v1/tables', { key: keys.viewer })).status, 200);
    const described = await call('GET', '/v1/tables/churn?sample=5', { key: keys.viewer });
    assert.deepEqual(described.body.sample, []);
    assert.equal((await call('GET', '/v1/tables', { key: keys.service })).status, 403);
    const write = await call('POST', '/v1/query', {
      key: keys.engineer,
      body: { sql: 'DROP TABLE churn', write: true },
    });
    assert.equal(write.status, 403, 'write SQL is admin-only');
  });

  test('keys: revoked and expired keys are refused; secrets are never listed', async () => {
    const created = await call('POST', '/v1/keys', {
      key: keys.admin,
      body: { role: 'analyst', expires: '1h' },
    });
    assert.equal(created.status, 200);
    const key = created.body.key as string;
    assert.equal((await call('GET', '/v1/auth/whoami', { key })).body.role, 'analyst');
    const listed = await call('GET', '/v1/keys', { key: keys.admin });
    assert.doesNotMatch(JSON.stringify(listed.body), new RegExp(key.split('.')[1]));
    assert.equal(
      (await call('DELETE', `/v1/keys/${created.body.id as string}`, { key: keys.admin })).status,
      200,
    );
    assert.equal((await call('GET', '/v1/auth/whoami', { key })).status, 401);
    const short = await platform.security.keys.create({ role: 'viewer', expiresInMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await call('GET', '/v1/auth/whoami', { key: short.key })).status, 401);
  });

  test('JWT HS256 bearer tokens carry a role claim; a bad signature is refused', async () => {
    const secret = new TextEncoder().encode(JWT_SECRET);
    const token = await new SignJWT({ role: 'analyst' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(secret);
    const me = await call('GET', '/v1/auth/whoami', { key: token });
    assert.deepEqual(me.body, { actor: 'jwt:alice', role: 'analyst', via: 'jwt' });
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    assert.equal((await call('GET', '/v1/auth/whoami', { key: forged })).status, 401);
  });

  test('a one-time login token becomes a session cookie, once', async () => {
    const token = await platform.security.sessions.loginToken(cliIdentity());
    const opened = await call('GET', `/v1/auth/login?token=${token}`);
    assert.equal(opened.status, 303);
    const cookie = opened.headers.get('set-cookie') ?? '';
    assert.match(cookie, /cairn_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
    const me = await call('GET', '/v1/auth/whoami', { headers: { cookie: cookie.split(';')[0] } });
    assert.equal(me.body.role, 'admin');
    assert.equal((await call('GET', `/v1/auth/login?token=${token}`)).status, 401, 'the token works once');
  });

  test('security headers are set', async () => {
    const response = await call('GET', '/health');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(response.headers.get('content-security-policy'));
  });
});

describe('grants, masking and encryption', () => {
  test('a masked column stays masked through expressions; table functions and qualified names are refused', async () => {
    await platform.security.mask(cliIdentity(), 'people', 'email', 'email', ['engineer']);
    const masked = await call('POST', '/v1/query', {
      key: keys.analyst,
      body: { sql: 'SELECT email, upper(email) AS e FROM people ORDER BY id' },
    });
    assert.equal(masked.status, 200, JSON.stringify(masked.body));
    assert.deepEqual(masked.body.rows, [
      { email: 'a***@example.com', e: 'A***@EXAMPLE.COM' },
      { email: 'b***@example.org', e: 'B***@EXAMPLE.ORG' },
      { email: 'c***@example.net', e: 'C***@EXAMPLE.NET' },
    ]);
    const clear = await call('POST', '/v1/query', {
      key: keys.engineer,
      body: { sql: 'SELECT email FROM people WHERE id = 1' },
    });
    assert.deepEqual(clear.body.rows, [{ email: 'ana.silva@example.com' }]);
    for (const sql of [
      'SELECT * FROM main.people',
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'",
      'SELECT * FROM cairn.api_keys',
    ]) {
      const refused = await call('POST', '/v1/query', { key: keys.analyst, body: { sql } });
      assert.ok([400, 403].includes(refused.status), `${sql}: ${refused.status}`);
    }
    const sample = await call('GET', '/v1/tables/people?sample=1', { key: keys.analyst });
    assert.equal((sample.body.sample as { email: string }[])[0].email, 'a***@example.com');
  });

  test('a table with grants is closed to other roles', async () => {
    await platform.security.grant(cliIdentity(), 'people', 'engineer');
    assert.equal(
      (await call('POST', '/v1/query', { key: keys.analyst, body: { sql: 'SELECT * FROM people' } })).status,
      403,
    );
    assert.equal((await call('GET', '/v1/tables/people/profile', { key: keys.analyst })).status, 403);
    assert.equal(
      (
        await call('POST', '/v1/query', {
          key: keys.engineer,
          body: { sql: 'SELECT count(*) AS n FROM people' },
        })
      ).status,
      200,
    );
    await platform.security.grant(cliIdentity(), 'people', 'engineer', true);
  });

  test('encrypted columns are ciphertext at rest, clear for readers, and survive key rotation', async () => {
    const sealed = await platform.security.encrypt(cliIdentity(), 'people', 'phone', ['engineer']);
    assert.equal(sealed, 3);
    const raw = await platform.db.rows('SELECT phone FROM people ORDER BY id');
    assert.match(asText(raw[0].phone), /^enc:v1:/);
    const read = async (role: Role) =>
      (
        await call('POST', '/v1/query', {
          key: keys[role],
          body: { sql: 'SELECT phone FROM people ORDER BY id' },
        })
      ).body.rows as { phone: string }[];
    assert.equal((await read('engineer'))[0].phone, '+351 912 345 678');
    assert.equal((await read('analyst'))[0].phone, '***');
    const rotated = await platform.security.rotate(cliIdentity());
    assert.deepEqual(rotated, { version: 2, resealed: 3 });
    assert.match(
      asText((await platform.db.rows('SELECT phone FROM people ORDER BY id'))[0].phone),
      /^enc:v2:/,
    );
    assert.equal((await read('admin'))[2].phone, '+1 (415) 555-0132');
    const appended = path.join(tmp.dir, 'more.csv');
    writeFileSync(appended, 'id,email,phone,ip,note\n4,dan@example.com,+49 30 1234567,10.1.1.1,fourth\n');
    await ingest(platform.db, { source: appended, table: 'people', mode: 'append' });
    const rows = await platform.db.rows('SELECT phone FROM people WHERE id = 4');
    assert.match(asText(rows[0].phone), /^enc:v2:/, 'later ingests are sealed too');
  });
});

describe('PII, audit and GDPR', () => {
  test('PII is flagged on ingest with a suggested policy', async () => {
    const { body } = await call('GET', '/v1/tables/people/pii', { key: keys.viewer });
    const kinds = Object.fromEntries(
      (body.columns as { column: string; kind: string }[]).map((c) => [c.column, c.kind]),
    );
    assert.equal(kinds.email, 'email');
    assert.equal(kinds.ip, 'ip_address');
    assert.equal(kinds.note, undefined);
  });

  test('GDPR: export gathers a subject, erase removes it everywhere and is audited', async () => {
    const subject = '7590-VHVEG';
    await platform.db.run(
      `CREATE TABLE features_churn AS SELECT customerID, tenure FROM churn WHERE customerID = '${subject}'`,
    );
    const exported = await call('GET', `/v1/subjects/${subject}`, { key: keys.admin });
    const tables = (exported.body.found as { table: string }[]).map((h) => h.table).sort();
    assert.deepEqual(tables, ['churn', 'features_churn']);
    const erased = await call('DELETE', `/v1/subjects/${subject}`, { key: keys.admin });
    assert.equal(erased.status, 200);
    const texts = await platform.db.rows(
      `SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = current_database()
       AND schema_name IN ('main') AND data_type = 'VARCHAR'`,
    );
    for (const c of texts) {
      const [row] = await platform.db.rows(
        `SELECT count(*) AS n FROM "${asText(c.schema_name)}"."${asText(c.table_name)}" WHERE CAST("${asText(c.column_name)}" AS VARCHAR) LIKE '%${subject}%'`,
      );
      assert.equal(
        Number(row.n),
        0,
        `${asText(c.table_name)}.${asText(c.column_name)} still holds the subject`,
      );
    }
    const log = await platform.security.audit.list({ action: 'subject:' });
    assert.deepEqual(log.map((e) => e.action).sort(), ['subject:erase', 'subject:export']);
  });

  test('the audit log is hash-chained: edits and removals are detected', async () => {
    const actions = (await platform.security.audit.list({ limit: 1000 })).map((e) => e.action);
    for (const action of ['query', 'key:create', 'key:revoke', 'login', 'encrypt', 'key:rotate', 'denied'])
      assert.ok(actions.includes(action), `${action} is audited`);
    assert.equal((await platform.security.audit.verify()).ok, true);
    await platform.db.run(`UPDATE cairn.audit_log SET actor = 'someone-else' WHERE seq = 3`);
    const edited = await platform.security.audit.verify();
    assert.equal(edited.ok, false);
    assert.ok(edited.problems.some((p) => p.seq === 3 && /edited/.test(p.problem)));
    const verifyHttp = await call('GET', '/v1/audit/verify', { key: keys.admin });
    assert.equal(verifyHttp.body.ok, false);
  });
});

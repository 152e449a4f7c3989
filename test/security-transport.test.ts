import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { ROOT, tempDir } from './support.js';

// One real `cairn up` process over TLS, trusting a JWKS served here, with its logs captured: what a
// deployment behind an identity provider runs.
const tmp = tempDir();
const CERT = path.join(tmp.dir, 'cert.pem');
const KEY = path.join(tmp.dir, 'key.pem');
const ISSUER = 'https://idp.test.example';
const AUDIENCE = 'cairn-test';
const KID = 'test-key-1';

let jwks: http.Server;
let jwksHits = 0;
let signing: { privateKey: KeyObject; publicKey: KeyObject };
let server: ChildProcess;
let base: string;
let adminKey: string;
let loginUrl: string;
let stdout = '';
let stderr = '';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

/** An HTTPS request that trusts only the test's own certificate (no verification turned off). */
function request(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...options.headers, ...(body ? { 'content-type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = https.request(`${base}${url}`, { method, headers, ca: readFileSync(CERT) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Redirects and HTML have no JSON body.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function token(
  claims: Record<string, unknown>,
  key: KeyObject = signing.privateKey,
  options: { audience?: string; expires?: string | number } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: KID })
    .setSubject('alice')
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(key);
}

before(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      KEY,
      '-out',
      CERT,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...signing.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  jwks = http.createServer((req, res) => {
    jwksHits++;
    if (req.url !== '/.well-known/jwks.json') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  jwks.listen(0, '127.0.0.1');
  await once(jwks, 'listening');
  const { port } = jwks.address() as AddressInfo;

  server = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'cairn.js'),
      '--home',
      path.join(tmp.dir, 'ws'),
      'up',
      '--no-demo',
      '--port',
      '0',
      '--tls-cert',
      CERT,
      '--tls-key',
      KEY,
    ],
    {
      env: {
        ...process.env,
        CAIRN_LOG_LEVEL: 'debug',
        CAIRN_JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        CAIRN_JWT_ISSUER: ISSUER,
        CAIRN_JWT_AUDIENCE: AUDIENCE,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let waited = 0; !/dashboard login link/.test(stderr); waited += 100) {
    if (waited > 60_000 || server.exitCode !== null) throw new Error(`cairn up did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  base = /serving .* at (\S+)/.exec(stderr)?.[1] ?? '';
  adminKey = /admin API key \(shown this once; keep it\): (\S+)/.exec(stderr)?.[1] ?? '';
  loginUrl = /dashboard login link .*: (\S+)/.exec(stderr)?.[1] ?? '';
});

after(async () => {
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  jwks.close();
  tmp.remove();
});

describe('TLS', () => {
  test('given a certificate, the server speaks HTTPS only, with HSTS and Secure session cookies', async () => {
    assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await request('GET', '/health');
    assert.equal(health.status, 200);
    assert.match(String(health.headers['strict-transport-security']), /max-age=\d+/);
    assert.equal((await request('GET', '/v1/auth/whoami', { headers: bearer(adminKey) })).json.role, 'admin');
    const login = await request('GET', new URL(loginUrl).pathname + new URL(loginUrl).search);
    assert.equal(login.status, 303);
    assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict; .*Secure/);
    // Plain HTTP on the same port gets no answer a client could read as HTTP.
    const plain = await fetch(base.replace('https:', 'http:') + '/health').then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(plain, 200);
  });
});

describe('RS256 JWTs verified through a JWKS', () => {
  test('a token signed with the provider’s key gives its role; forged, expired and misaddressed ones are refused', async () => {
    const valid = await token({ role: 'analyst' });
    const me = await request('GET', '/v1/auth/whoami', { headers: bearer(valid) });
    assert.deepEqual(me.json, { actor: 'jwt:alice', role: 'analyst', via: 'jwt' });
    assert.ok(jwksHits > 0, 'the key set was fetched from the provider');
    assert.equal((await request('GET', '/v1/keys', { headers: bearer(valid) })).status, 403, 'analyst role');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const pem = signing.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const refused = {
      'another key, same kid': await token({ role: 'admin' }, other),
      'wrong audience': await token({ role: 'admin' }, signing.privateKey, { audience: 'someone-else' }),
      expired: await token({ role: 'admin' }, signing.privateKey, {
        expires: Math.floor(Date.now() / 1000) - 60,
      }),
      'unknown role': await token({ role: 'root' }),
      // The public key used as an HMAC secret (algorithm confusion).
      'HS256 with the public key': await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: KID })
        .setSubject('mallory')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(pem)),
    };
    for (const [what, jwt] of Object.entries(refused)) {
      const reply = await request('GET', '/v1/auth/whoami', { headers: bearer(jwt) });
      assert.equal(reply.status, 401, what);
    }
  });
});

describe('logs', () => {
  test('no secrets in logs: keys, tokens, cookies, passwords in headers, query strings and bodies', async () => {
    const analystJwt = await token({ role: 'analyst' });
    const created = await request('POST', '/v1/keys', {
      headers: bearer(adminKey),
      body: { role: 'analyst' },
    });
    const newKey = String(created.json.key);
    assert.match(newKey, /^cairn_/);
    const secrets = {
      adminKey,
      newKey,
      analystJwt,
      loginToken: new URL(loginUrl).searchParams.get('token') ?? '',
      basic: Buffer.from('alice:Basic-Passw0rd-7').toString('base64'),
      cookie: 'SessionSecret-9f8e7d6c',
      header: 'HeaderSecret-1a2b3c',
      query: 'QuerySecret-4d5e6f',
      bodyPassword: 'BodyPassw0rd-8g9h',
      bodyToken: 'BodyToken-0i1j2k',
      sqlPassword: 'SqlPassw0rd-3l4m',
    };
    await request('GET', '/v1/auth/whoami', { headers: bearer(analystJwt) });
    await request('GET', '/v1/tables', { headers: { authorization: `Basic ${secrets.basic}` } });
    await request('GET', '/v1/tables', { headers: { cookie: `cairn_session=${secrets.cookie}` } });
    await request('GET', '/v1/tables', { headers: { ...bearer(newKey), 'x-api-key': secrets.header } });
    await request('GET', `/v1/tables?api_key=${secrets.query}&password=${secrets.query}`, {
      headers: bearer(adminKey),
    });
    await request('POST', '/v1/query', {
      headers: bearer(adminKey),
      body: {
        sql: `SELECT * FROM nowhere WHERE pw = '${secrets.sqlPassword}'`,
        password: secrets.bodyPassword,
      },
    });
    await request('POST', '/v1/keys', {
      headers: bearer(adminKey),
      body: { role: 'root', password: secrets.bodyPassword, token: secrets.bodyToken },
    });
    await request('GET', `/v1/auth/login?token=${secrets.loginToken}`);
    await request('POST', '/v1/auth/login', { body: { token: secrets.bodyToken } });

    // Let the last log lines reach the pipe, then stop the server so everything is flushed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.kill('SIGTERM');
    await once(server, 'exit');
    const requestsLogged = stdout.split('\n').filter((line) => line.includes('"request completed"')).length;
    assert.ok(
      requestsLogged >= 12,
      `requests are logged (${requestsLogged} lines): the check below means something`,
    );
    assert.match(stdout, /\/v1\/auth\/login\?token=\[redacted\]/, 'credential query values are blanked');
    for (const [what, secret] of Object.entries(secrets)) {
      assert.ok(secret.length > 8, what);
      assert.ok(!stdout.includes(secret), `the log holds ${what}`);
    }
    // stderr carries the start-up banner, where the bootstrap key and link are shown once by design.
    for (const [what, secret] of Object.entries(secrets))
      if (what !== 'adminKey' && what !== 'loginToken')
        assert.ok(!stderr.includes(secret), `stderr holds ${what}`);
  });
});

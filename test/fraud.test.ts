import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { silentLogger } from '../src/core/logger.js';
import { handleError } from '../src/server/errors.js';
import { fraudRoutes } from '../src/server/routes/fraud.js';
import { FraudService } from '../src/solutions/fraud/service.js';
import { trainFraud } from '../src/solutions/fraud/train.js';
import type { Transaction } from '../src/solutions/fraud/transaction.js';
import path from 'node:path';
import { openPlatform } from '../src/platform.js';
import { simulateTransactions } from '../src/solutions/fraud/simulator.js';
import { withoutLabel } from '../src/solutions/fraud/transaction.js';
import { USER_WINDOWS_VIEW } from '../src/solutions/fraud/window-publisher.js';
import { tempDir, tempPlatform } from './support.js';

function tx(id: string, minute: number, over: Partial<Transaction> = {}): Transaction {
  return {
    transaction_id: id,
    user_id: 'u-test',
    amount: 35,
    currency: 'EUR',
    merchant_id: 'm0001',
    merchant_category: 'grocery',
    device_id: 'd-test',
    payment_method: 'card',
    timestamp: new Date(Date.UTC(2026, 10, 2, 10, minute)).toISOString(),
    location: { lat: 48.85, lon: 2.35 },
    ...over,
  };
}

describe('fraud scoring over HTTP', () => {
  let platform: Awaited<ReturnType<typeof tempPlatform>>;
  let fraud: FraudService;
  let app: FastifyInstance;
  const post = async (t: Transaction) => {
    const response = await app.inject({ method: 'POST', url: '/v1/fraud/score', payload: t });
    assert.equal(response.statusCode, 200, response.body);
    await new Promise((resolve) => setImmediate(resolve));
    return response.json<{ decision: string; score: number; method: string; reasons: { code: string }[] }>();
  };

  before(async () => {
    platform = await tempPlatform();
    await trainFraud(platform.db, platform.workspace.artifacts, {
      simulator: { users: 150, days: 10, episodeRate: 0.02 },
    });
    fraud = await FraudService.open({
      db: platform.db,
      artifactsDir: platform.workspace.artifacts,
      logger: silentLogger,
    });
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(handleError);
    await app.register(fraudRoutes, { fraud });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await fraud.close();
    platform.dispose();
  });

  test('an ordinary purchase is approved by the ensemble; impossible travel goes to review with its rule', async () => {
    for (let i = 0; i < 4; i++) await post(tx(`ok${i}`, i * 10));
    const normal = await post(tx('ok4', 45));
    assert.equal(normal.method, 'ensemble');
    assert.equal(normal.decision, 'APPROVE');
    const far = await post(
      tx('far', 50, { location: { lat: 40.71, lon: -74.0 }, device_id: 'd-new', amount: 900 }),
    );
    assert.notEqual(far.decision, 'APPROVE');
    assert.ok(far.reasons.some((r) => r.code === 'impossible_travel'));
  });

  test('a rule change takes effect at once and is versioned; a block-listed device is blocked by rules', async () => {
    const before = (await app.inject({ method: 'GET', url: '/v1/fraud/rules' })).json<{ version: number }>();
    const source = `lists: { blocked_devices: [d-evil] }
rules:
  - { id: blocked_device, reason: device is on the block list, confidence: 0.99, action: block, when: { feature: device_id, op: in, list: blocked_devices } }
`;
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/fraud/rules',
      payload: { source, comment: 'test' },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json<{ version: number }>().version, before.version + 1);
    const blocked = await post(tx('evil', 55, { device_id: 'd-evil', user_id: 'u-other' }));
    assert.deepEqual(
      [blocked.decision, blocked.method, blocked.reasons[0].code],
      ['BLOCK', 'rules', 'blocked_device'],
    );
    const versions = (await app.inject({ method: 'GET', url: '/v1/fraud/rules/versions' })).json<{
      versions: unknown[];
    }>();
    assert.equal(versions.versions.length, before.version + 1);
    const bad = await app.inject({
      method: 'PUT',
      url: '/v1/fraud/rules',
      payload: { source: 'rules: [{ id: x }]' },
    });
    assert.equal(bad.statusCode, 400);
  });

  test('blocked transactions enter the review queue and an analyst label is stored', async () => {
    const queue = (await app.inject({ method: 'GET', url: '/v1/fraud/reviews?status=open' })).json<{
      reviews: { transaction_id: string }[];
    }>();
    assert.ok(queue.reviews.some((r) => r.transaction_id === 'evil'));
    const labelled = await app.inject({
      method: 'POST',
      url: '/v1/fraud/reviews/evil/label',
      payload: { label: 'fraud', analyst: 'ana' },
    });
    assert.equal(labelled.statusCode, 200, labelled.body);
    assert.equal(labelled.json<{ status: string }>().status, 'labelled');
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/fraud/reviews/nope/label',
      payload: { label: 'legit', analyst: 'ana' },
    });
    assert.equal(missing.statusCode, 404);
    await fraud.flush();
    const [row] = await platform.db.rows(`SELECT count(*)::INTEGER AS n FROM fraud_decisions`);
    assert.ok(Number(row.n) >= 7);
  });

  test('a scoring failure approves with reason fallback (fail-open)', async () => {
    const broken = await post(tx('broken', 58, { timestamp: '2026-11-02T10:58:00Z', user_id: 'u-x' }));
    assert.ok(broken.decision.length > 0);
    const original = fraud.scorer.ensemble;
    fraud.scorer.ensemble = {
      scoreRow: () => {
        throw new Error('model exploded');
      },
    } as never;
    try {
      const result = await post(tx('fallback', 59, { user_id: 'u-y' }));
      assert.deepEqual(
        [result.decision, result.method, result.reasons[0].code],
        ['APPROVE', 'fallback', 'fallback'],
      );
    } finally {
      fraud.scorer.ensemble = original;
    }
  });

  test('a malformed transaction is a 400 naming the field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/fraud/score',
      payload: { ...tx('x', 1), amount: 'ten' },
    });
    assert.equal(response.statusCode, 400);
    const { error } = response.json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /^body\.amount: /);
  });
});

describe('fraud state across a restart', () => {
  test('score, restart the platform on the same DuckDB file, score again: the same windows, rates and decisions', async () => {
    const { dir, remove } = tempDir();
    const home = path.join(dir, 'ws');
    const open = async () => {
      const platform = await openPlatform({ home, logger: silentLogger });
      const service = await FraudService.open({
        db: platform.db,
        artifactsDir: platform.workspace.artifacts,
        logger: silentLogger,
        online: await platform.features.online(),
      });
      return { platform, service };
    };
    try {
      const first = await open();
      await trainFraud(first.platform.db, first.platform.workspace.artifacts, {
        simulator: { users: 150, days: 10, episodeRate: 0.02 },
      });
      await first.service.reloadModel();
      const stream = simulateTransactions({ users: 60, days: 6, seed: 11, episodeRate: 0.05 }).map(
        withoutLabel,
      );
      const cut = stream.length - 40;
      for (const t of stream.slice(0, cut)) first.service.score(t);
      const [flagged] = await first.service.reviews('open', 1);
      assert.ok(flagged !== undefined, 'some simulated fraud reaches the review queue');
      await first.service.label(flagged.transaction_id, 'fraud', 'ana');
      const users = [...new Set(stream.map((t) => t.user_id))];
      const before = users.map((u) => first.service.userWindows(u));
      assert.ok(before.every((record) => record !== null && Number(record.count_30d) > 0));
      await first.service.close();
      first.platform.close();

      const second = await open();
      try {
        assert.equal(second.service.restored.transactions, cut);
        assert.equal(second.service.restored.labels, 1);
        assert.deepEqual(
          users.map((u) => second.service.userWindows(u)),
          before,
        );
        // The rebuilt windows also reach the online store, where GET /v1/features/fraud_user_windows/:user reads them.
        await second.service.flush();
        const online = await second.platform.features.online();
        assert.deepEqual(await online.readMany(USER_WINDOWS_VIEW, users), before);
        for (const t of stream.slice(cut)) {
          const live = first.service.scorer.score(t);
          const restarted = second.service.score(t);
          assert.deepEqual(
            { ...restarted, latency_ms: 0 },
            { ...live, latency_ms: 0 },
            `transaction ${t.transaction_id}`,
          );
        }
      } finally {
        await second.service.close();
        second.platform.close();
      }
    } finally {
      remove();
    }
  });
});

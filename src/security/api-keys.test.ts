import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempWorkspace } from '../../test/support.js';
import type { Database } from '../warehouse/database.js';
import { ApiKeys } from './api-keys.js';

/** Counts the key lookups that reach the database. */
function countingLookups(db: Database): { db: Database; lookups: () => number } {
  let lookups = 0;
  const counted = new Proxy(db, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name !== 'rows' || typeof value !== 'function') return value;
      return (...args: Parameters<Database['rows']>) => {
        if (args[0].includes('api_keys WHERE id')) lookups++;
        return (value as Database['rows']).apply(target, args);
      };
    },
  });
  return { db: counted, lookups: () => lookups };
}

test('a key due for a fresh check is checked once, in the background, and a revocation still lands', async () => {
  const workspace = await tempWorkspace();
  try {
    let now = Date.parse('2026-11-22T08:00:00Z');
    const { db, lookups } = countingLookups(workspace.db);
    const keys = await ApiKeys.open(db, () => new Date(now));
    const { key, id } = await keys.create({ role: 'service' });
    assert.equal((await keys.authenticate(key))?.keyId, id);
    assert.equal(lookups(), 1);

    now += 61_000; // past the minute a check is trusted for: many requests arrive at once
    const identities = await Promise.all(Array.from({ length: 50 }, () => keys.authenticate(key)));
    assert.ok(identities.every((identity) => identity?.keyId === id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(lookups(), 2, 'one fresh check for fifty requests');

    // Revoked by another process: the next check after the trusted minute finds it.
    await workspace.db.run(`UPDATE cairn.api_keys SET revoked_at = '2026-11-22T08:01:30Z' WHERE id = $1`, [
      id,
    ]);
    now += 61_000;
    await keys.authenticate(key); // answered from before while the check runs
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await keys.authenticate(key), null);
    now += 120_000; // long past any grace: checked in the foreground, still refused
    assert.equal(await keys.authenticate(key), null);
  } finally {
    workspace.dispose();
  }
});

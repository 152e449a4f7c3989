import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OnlineStore } from './online-store.js';

/** The behaviour every online store shares; each implementation's test file runs it. */
export function onlineStoreContract(name: string, open: () => Promise<OnlineStore>): void {
  const view = `contract_${name}_${process.pid}`;

  test(`${name}: a written record reads back equal, a missing one is null`, async () => {
    const store = await open();
    try {
      await store.clear(view);
      const record = {
        amount_sum_1h: 12.5,
        txn_count_24h: 3,
        last_country: 'France',
        flag: true,
        none: null,
      };
      await store.write(view, new Map([['u1', record]]));
      assert.deepEqual(await store.read(view, 'u1'), record);
      assert.equal(await store.read(view, 'nobody'), null);
      assert.equal(await store.read(`${view}_other`, 'u1'), null);
    } finally {
      await store.clear(view);
      await store.close();
    }
  });

  test(`${name}: readMany keeps the order asked and gives null for gaps`, async () => {
    const store = await open();
    try {
      await store.clear(view);
      const records = new Map(Array.from({ length: 50 }, (_, i) => [`e${i}`, { n: i }] as const));
      await store.write(view, records);
      const got = await store.readMany(view, ['e7', 'missing', 'e0', 'e49']);
      assert.deepEqual(got, [{ n: 7 }, null, { n: 0 }, { n: 49 }]);
      assert.deepEqual(await store.readMany(view, []), []);
    } finally {
      await store.clear(view);
      await store.close();
    }
  });

  test(`${name}: a write replaces the entity's record; clear removes the view only`, async () => {
    const store = await open();
    try {
      await store.clear(view);
      await store.clear(`${view}_b`);
      await store.write(view, new Map([['u', { a: 1, b: 2 }]]));
      await store.write(view, new Map([['u', { a: 3 }]]));
      await store.write(`${view}_b`, new Map([['u', { a: 9 }]]));
      assert.deepEqual(await store.read(view, 'u'), { a: 3 });
      await store.clear(view);
      assert.equal(await store.read(view, 'u'), null);
      assert.deepEqual(await store.read(`${view}_b`, 'u'), { a: 9 });
    } finally {
      await store.clear(view);
      await store.clear(`${view}_b`);
      await store.close();
    }
  });

  test(`${name}: text entity keys with separators stay apart`, async () => {
    const store = await open();
    try {
      await store.clear(view);
      await store.write(
        view,
        new Map([
          ['a:b', { v: 1 }],
          ['a', { v: 2 }],
          ['é ü', { v: 3 }],
        ]),
      );
      assert.deepEqual(await store.readMany(view, ['a:b', 'a', 'é ü']), [{ v: 1 }, { v: 2 }, { v: 3 }]);
    } finally {
      await store.clear(view);
      await store.close();
    }
  });

  test(`${name}: an entity's records are found and erased in every view, and nothing else`, async () => {
    const store = await open();
    const views = [view, `${view}_b`];
    try {
      for (const v of views) await store.clear(v);
      await store.write(
        view,
        new Map([
          ['c-7*', { v: 1 }],
          ['x:c-7*', { v: 2 }],
          ['c-7', { v: 3 }],
        ]),
      );
      await store.write(`${view}_b`, new Map([['c-7*', { w: 4 }]]));
      const found = await store.recordsOf('c-7*');
      assert.deepEqual(found.get(view), { v: 1 });
      assert.deepEqual(found.get(`${view}_b`), { w: 4 });
      assert.deepEqual((await store.erase('c-7*')).sort(), views);
      assert.equal(await store.read(view, 'c-7*'), null);
      assert.equal(await store.read(`${view}_b`, 'c-7*'), null);
      assert.deepEqual(await store.readMany(view, ['x:c-7*', 'c-7']), [{ v: 2 }, { v: 3 }]);
      assert.equal((await store.recordsOf('c-7*')).size, 0);
      assert.deepEqual(await store.erase('nobody'), []);
    } finally {
      for (const v of views) await store.clear(v);
      await store.close();
    }
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { checkSubject, NatsPublishBatch } from './nats-publish-batch.js';

// A real NATS server on loopback (started by .ci/run).
test('a turn of publishes reaches subscribers whole and in order, multi-byte text included', async () => {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const subject = `cairn.test.batch.${process.pid}.${Date.now()}`;
  const received: string[] = [];
  const sub = nc.subscribe(subject, {
    callback: (_, m) => {
      received.push(m.string());
    },
  });
  await nc.flush();
  const batch = new NatsPublishBatch(nc);
  const sent = ['plain', '', 'naïve café ✓', JSON.stringify({ reasons: ['a\r\nb'] })];
  for (let i = 0; i < 1000; i++) batch.publish(subject, `${sent[i % sent.length]}#${i}`);
  await nc.flush();
  for (let i = 0; i < 50 && received.length < 1000; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    received,
    Array.from({ length: 1000 }, (_, i) => `${sent[i % sent.length]}#${i}`),
  );
  sub.unsubscribe();
  await nc.close();
  assert.throws(() => batch.publish(subject, 'late'), /closed/);
});

test('subjects with whitespace are refused', () => {
  assert.equal(checkSubject('cairn.fraud.decisions'), 'cairn.fraud.decisions');
  assert.throws(() => checkSubject('cairn fraud'), /without spaces/);
  assert.throws(() => checkSubject(''), /without spaces/);
});

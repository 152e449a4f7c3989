// The producer side of bench/streams' end-to-end runs, in a process of its own as a real producer
// would be. Started by streams.ts with one JSON argument; it publishes `count` events, each stamped
// with its publish time (`ts`, epoch ms), at `rate` events/s (0: as fast as the broker takes them),
// never more than `window` ahead of what the parent reports stored (IPC { stored }), because an MQTT
// broker drops QoS 1 messages beyond a session's queue limit instead of holding them.
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { Random } from '../../src/core/random.js';

export interface PublisherPlan {
  kind: 'nats' | 'mqtt';
  /** NATS subject or MQTT topic. */
  subject: string;
  count: number;
  rate: number;
  window: number;
  /** First event number, so runs into one table never reuse an id. */
  from: number;
}

const plan = JSON.parse(process.argv[2]) as PublisherPlan;
let stored = 0;
process.on('message', (message: { stored?: number; go?: boolean }) => {
  if (message.stored !== undefined) stored = message.stored;
  if (message.go) void run();
});

const send = await sender(plan);
process.send!({ ready: true });

async function sender({ kind, subject }: PublisherPlan): Promise<{
  publish: (payload: string) => Promise<unknown>;
  close: () => Promise<void>;
}> {
  if (kind === 'nats') {
    // Core publishes into the stream's subject, confirmed by a flush every 500: JetStream stores
    // them all the same, and one producer awaiting a JetStream ack per message tops out near
    // 8,000/s on this machine, which would measure the producer rather than the pipeline.
    const nc = await connect({ servers: '127.0.0.1:4222' });
    let n = 0;
    return {
      publish: (p) => {
        nc.publish(subject, p);
        return ++n % 500 === 0 ? nc.flush() : Promise.resolve();
      },
      close: () => nc.close(),
    };
  }
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
  return {
    publish: (p) => client.publishAsync(subject, p, { qos: 1 }),
    close: () => client.endAsync(),
  };
}

async function run(): Promise<void> {
  const random = new Random(3);
  const pending = new Set<Promise<unknown>>();
  const started = performance.now();
  let sent = 0;
  while (sent < plan.count) {
    const due = plan.rate > 0 ? Math.floor(((performance.now() - started) / 1000) * plan.rate) : Infinity;
    const allowed = Math.min(plan.count, due, stored + plan.window);
    // 1,000 unconfirmed publishes at most: the broker's confirmations pace the flood.
    while (sent < allowed && pending.size < 1000) {
      const i = plan.from + sent++;
      const payload = JSON.stringify({
        id: `e${i}`,
        user: `u${random.int(10_000)}`,
        ts: Date.now(),
        amount: 10 + random.int(500),
      });
      const p = send.publish(payload).finally(() => pending.delete(p));
      pending.add(p);
    }
    if (pending.size >= 1000) await Promise.race(pending);
    else await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(pending);
  await send.close();
  process.send!({ done: true, seconds: (performance.now() - started) / 1000 }, () => process.exit(0));
}

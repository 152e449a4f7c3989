// The reference for bench/fraud/streaming.ts: consumes N messages from a JetStream stream through a
// durable pull consumer with explicit acks (as Cairn's NATS source does) and does nothing else.
// Usage: node --import tsx bench/fraud/bare-consumer.ts SERVERS STREAM SUBJECT N
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const [servers, stream, subject, n] = process.argv.slice(2);
const nc = await connect({ servers });
const manager = await jetstreamManager(nc);
await manager.consumers.add(stream, {
  durable_name: 'bare',
  ack_policy: AckPolicy.Explicit,
  filter_subject: subject,
});
const consumer = await jetstream(nc).consumers.get(stream, 'bare');
const messages = await consumer.consume({ max_messages: 1000 });
let count = 0;
for await (const m of messages) {
  m.ack();
  if (++count >= Number(n)) break;
}
await nc.flush();
console.log(JSON.stringify({ count }));
await nc.close();

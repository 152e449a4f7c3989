import type { StreamSource } from './source.js';
import { HttpSource } from './sources/http-source.js';
import { KafkaSource } from './sources/kafka-source.js';
import { MqttSource } from './sources/mqtt-source.js';
import { NatsSource } from './sources/nats-source.js';
import type { StreamSourceSpec } from './stream-spec.js';
import { parseDuration } from '../features/duration.js';

/** The source a stream file names; consumer names default to `cairn-<pipeline>`. */
export function openSource(spec: StreamSourceSpec, pipeline: string): StreamSource {
  const consumer = `cairn-${pipeline}`;
  switch (spec.type) {
    case 'mqtt':
      return new MqttSource({ url: spec.url, topic: spec.topic, clientId: spec.clientId ?? consumer });
    case 'nats':
      return new NatsSource({
        servers: spec.servers,
        stream: spec.stream,
        subject: spec.subject,
        durable: spec.durable ?? consumer,
        ackWaitSeconds: spec.ackWait ? parseDuration(spec.ackWait, 'source.ackWait') / 1000 : undefined,
      });
    case 'kafka':
      return new KafkaSource({ brokers: spec.brokers, topic: spec.topic, groupId: spec.groupId ?? consumer });
    case 'http':
      return new HttpSource({ port: spec.port, host: spec.host, path: spec.path });
  }
}

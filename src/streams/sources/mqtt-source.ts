import mqtt, { type IPublishPacket, type IStream, type MqttClient } from 'mqtt';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { StreamMessage, StreamSource } from '../source.js';

export interface MqttSourceOptions {
  url: string;
  topic: string;
  /** Fixed client id with a persistent session: the broker keeps QoS 1 messages while we are away. */
  clientId: string;
  /** QoS 1 messages the broker may send before we acknowledge (MQTT 5 Receive Maximum). Default 5,000. */
  receiveMaximum?: number;
}

// Handed to mqtt.js as the custom-ack "error": it then skips its own PUBACK but keeps reading.
const ACK_HELD = new Error('PUBACK held until the message is stored');

/**
 * MQTT 5 at QoS 1 with a persistent session. Each PUBACK is sent only once the pipeline stored the
 * message, so a message never acknowledged comes back when the session resumes. The broker keeps
 * up to `receiveMaximum` messages in flight, so the pipeline stores them in micro-batches.
 */
export class MqttSource implements StreamSource {
  readonly kind = 'mqtt';
  readonly maxUnacked: number;
  private client: MqttClient | undefined;

  constructor(private readonly options: MqttSourceOptions) {
    this.maxUnacked = options.receiveMaximum ?? 5000;
  }

  async start(onMessage: (message: StreamMessage) => void): Promise<void> {
    const { url, topic, clientId } = this.options;
    const client = mqtt.connect(url, {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 24 * 3600, receiveMaximum: this.maxUnacked },
      reconnectPeriod: 500,
      // mqtt.js sends PUBACK from this callback and reads the next packet only after it, which
      // would allow one message in flight. Declining the ack lets it read on; we ack later.
      customHandleAcks: (_topic, payload, packet: IPublishPacket, done) => {
        const stream = client.stream;
        const id = packet.messageId;
        onMessage({ data: payload, ack: () => sendPuback(client, stream, id) });
        done(ACK_HELD);
      },
    });
    this.client = client;
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        // Later connection errors end in mqtt.js's own reconnect; held acks are not errors.
        client.on('error', (error) => {
          if (error !== ACK_HELD && !client.connected) reject(error);
        });
      });
      // Resubscribing on a resumed session is harmless and covers a session the broker dropped.
      await client.subscribeAsync(topic, { qos: 1 });
    } catch (error) {
      client.end(true);
      throw new CairnError(
        'SOURCE_ERROR',
        `cannot subscribe to MQTT ${url} topic ${topic}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /** Drops the connection as a network failure would; the client reconnects and the session resumes. */
  interrupt(): Promise<void> {
    this.client?.stream.destroy();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    // A normal DISCONNECT keeps the session (its expiry is set at connect), so messages still held
    // unacknowledged stay with the broker; it also lets the acks already written reach it.
    await this.client?.endAsync();
  }
}

/**
 * PUBACK for packet `id`, on the connection that delivered it. After a reconnect the broker resends
 * what was not acknowledged, so an ack for the old connection is dropped rather than sent on the new.
 */
function sendPuback(client: MqttClient, stream: IStream, id: number | undefined): void {
  if (id === undefined || client.stream !== stream || !client.connected) return;
  // A batch's acks come in one synchronous run: corked until the next tick, they leave in one write.
  if (!stream.writableCorked) {
    stream.cork();
    process.nextTick(() => stream.uncork());
  }
  // MQTT 5 §3.4.2.1: with reason code 0 and no properties the PUBACK is type, length 2, packet id.
  stream.write(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
}

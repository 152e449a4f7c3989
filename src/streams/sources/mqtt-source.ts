import mqtt, { type MqttClient } from 'mqtt';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { StreamMessage, StreamSource } from '../source.js';

export interface MqttSourceOptions {
  url: string;
  topic: string;
  /** Fixed client id with a persistent session: the broker keeps QoS 1 messages while we are away. */
  clientId: string;
}

/**
 * MQTT at QoS 1 with a persistent session. PUBACK is held back until the pipeline stored the
 * message, so a message never acknowledged is sent again when the session resumes.
 */
export class MqttSource implements StreamSource {
  readonly kind = 'mqtt';
  // mqtt.js reads the next packet only after the previous one's PUBACK: one message in flight.
  readonly maxUnacked = 1;
  private client: MqttClient | undefined;

  constructor(private readonly options: MqttSourceOptions) {}

  async start(onMessage: (message: StreamMessage) => void): Promise<void> {
    const { url, topic, clientId } = this.options;
    const client = mqtt.connect(url, {
      clientId,
      // MQTT 5: held-back acks (customHandleAcks) need it, and the session outlives a disconnect.
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 24 * 3600 },
      reconnectPeriod: 500,
      customHandleAcks: (_topic, payload, _packet, done) => {
        onMessage({ data: payload, ack: () => done(0) });
      },
    });
    this.client = client;
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      await client.subscribeAsync(topic, { qos: 1 });
    } catch (error) {
      client.end(true);
      throw new CairnError(
        'SOURCE_ERROR',
        `cannot subscribe to MQTT ${url} topic ${topic}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async close(): Promise<void> {
    // A forced end sends no PUBACK for held messages, leaving them with the broker's session.
    await this.client?.endAsync(true);
  }
}

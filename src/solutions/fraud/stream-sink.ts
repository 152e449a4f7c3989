import { connect, type NatsConnection } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { checkSubject, NatsPublishBatch } from '../../streams/sources/nats-publish-batch.js';

/**
 * Publishes messages to one NATS subject or MQTT topic: the decisions out of the fraud stream, and
 * the simulator's transactions into it.
 */
export interface StreamSink {
  readonly kind: 'nats' | 'mqtt';
  publish(payload: string): void;
  /** Sends what is queued, then disconnects. */
  close(): Promise<void>;
}

/**
 * Core NATS publish: fire-and-forget, so a decision leaves at once; a JetStream stream over the
 * subject, if one exists, keeps the messages for consumers that were away.
 */
export async function openNatsSink(servers: string, subject: string): Promise<StreamSink> {
  let connection: NatsConnection;
  try {
    connection = await connect({ servers, reconnect: true, maxReconnectAttempts: -1 });
  } catch (error) {
    throw new CairnError('SOURCE_ERROR', `cannot connect to NATS at ${servers}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const batch = new NatsPublishBatch(connection);
  checkSubject(subject);
  return {
    kind: 'nats',
    publish: (payload) => batch.publish(subject, payload),
    close: async () => {
      batch.flush();
      await connection.drain().catch(() => undefined);
    },
  };
}

/** MQTT publish at QoS 1 (the broker acknowledges each message). */
export async function openMqttSink(url: string, topic: string, logger: Logger): Promise<StreamSink> {
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(url, { reconnectPeriod: 500 });
  } catch (error) {
    throw new CairnError('SOURCE_ERROR', `cannot connect to MQTT at ${url}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return {
    kind: 'mqtt',
    publish: (payload) =>
      void client
        .publishAsync(topic, payload, { qos: 1 })
        .catch((error: unknown) => logger.error({ err: error, topic }, 'fraud: a message was not published')),
    close: async () => {
      await client.endAsync();
    },
  };
}

import { tuneHeapForServing } from '../../core/heap-tuning.js';
import { CairnError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { openSource } from '../../streams/open-source.js';
import type { StreamSource } from '../../streams/source.js';
import type { Database } from '../../warehouse/database.js';
import type { FraudService } from './service.js';
import { FraudStreamConsumer } from './stream-consumer.js';
import { openMqttSink, openNatsSink, type StreamSink } from './stream-sink.js';

export const FRAUD_BROKERS = ['nats', 'mqtt'] as const;
export type FraudBroker = (typeof FRAUD_BROKERS)[number];

/** Where the fraud stream reads transactions and writes decisions. */
export interface FraudStreamEndpoints {
  broker: FraudBroker;
  /** NATS servers (`127.0.0.1:4222`) or an MQTT URL (`mqtt://127.0.0.1:1883`). */
  url: string;
  /** Subject or topic the transactions arrive on. */
  input: string;
  /** Subject or topic each decision is published to. */
  output: string;
  /** Durable consumer (NATS) or persistent-session client id (MQTT): a restart resumes where it stopped. */
  consumer: string;
  /** The JetStream stream over `input`, created when missing (NATS only). */
  stream: string;
  /** How long an unacknowledged message waits before the broker sends it again (NATS), e.g. `30s`. */
  ackWait?: string;
}

const DEFAULTS: Record<FraudBroker, Omit<FraudStreamEndpoints, 'broker'>> = {
  nats: {
    url: '127.0.0.1:4222',
    input: 'cairn.fraud.transactions',
    output: 'cairn.fraud.decisions',
    consumer: 'cairn-fraud',
    stream: 'CAIRN_FRAUD',
  },
  mqtt: {
    url: 'mqtt://127.0.0.1:1883',
    input: 'cairn/fraud/transactions',
    output: 'cairn/fraud/decisions',
    consumer: 'cairn-fraud',
    stream: 'CAIRN_FRAUD',
  },
};

/** Endpoints for a broker, each left out part taken from the defaults. */
export function fraudStreamEndpoints(
  broker: string,
  given: Partial<Omit<FraudStreamEndpoints, 'broker'>> = {},
): FraudStreamEndpoints {
  if (!(FRAUD_BROKERS as readonly string[]).includes(broker)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `broker '${broker}' is not supported for the fraud stream; use ${FRAUD_BROKERS.join(' or ')}`,
    );
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { broker: broker as FraudBroker, ...DEFAULTS[broker as FraudBroker], ...defined };
}

/** The stream source of the transactions: JetStream durable consumer or MQTT persistent session. */
export function openFraudSource(endpoints: FraudStreamEndpoints): StreamSource {
  return endpoints.broker === 'nats'
    ? openSource(
        {
          type: 'nats',
          servers: endpoints.url,
          stream: endpoints.stream,
          subject: endpoints.input,
          durable: endpoints.consumer,
          ackWait: endpoints.ackWait,
        },
        'fraud',
      )
    : openSource(
        { type: 'mqtt', url: endpoints.url, topic: endpoints.input, clientId: endpoints.consumer },
        'fraud',
      );
}

export function openFraudSink(endpoints: FraudStreamEndpoints, logger: Logger): Promise<StreamSink> {
  return endpoints.broker === 'nats'
    ? openNatsSink(endpoints.url, endpoints.output)
    : openMqttSink(endpoints.url, endpoints.output, logger);
}

export interface RunningFraudStream {
  consumer: FraudStreamConsumer;
  /** Stores and acknowledges what is pending, then disconnects from the broker. */
  stop(): Promise<void>;
}

/** Connects the fraud service to a broker: transactions in, decisions out, both into the warehouse. */
export async function startFraudStream(options: {
  service: FraudService;
  db: Database;
  logger: Logger;
  endpoints: FraudStreamEndpoints;
  batchSize?: number;
}): Promise<RunningFraudStream> {
  tuneHeapForServing();
  const sink = await openFraudSink(options.endpoints, options.logger);
  const consumer = new FraudStreamConsumer({
    service: options.service,
    source: openFraudSource(options.endpoints),
    sink,
    db: options.db,
    logger: options.logger,
    batchSize: options.batchSize,
  });
  try {
    await consumer.start();
  } catch (error) {
    await sink.close();
    throw error;
  }
  return {
    consumer,
    stop: async () => {
      await consumer.close();
      await sink.close();
    },
  };
}

/** One delivered message: its raw bytes and how to tell the broker it is safely stored. */
export interface StreamMessage {
  readonly data: Uint8Array;
  /** Confirms the message; until then the broker may deliver it again (at-least-once). */
  ack(): void;
}

/**
 * A stream source (MQTT, NATS JetStream, Kafka, HTTP POST): delivers messages to one handler and
 * redelivers those never acknowledged. The broker-backed ones share the contract suite in
 * test/stream-source-contract.ts.
 */
export interface StreamSource {
  readonly kind: 'mqtt' | 'nats' | 'kafka' | 'http';
  /** Messages the source delivers before it waits for an ack (the pipeline flushes at that count). */
  readonly maxUnacked?: number;
  /** Starts delivery; resolves once subscribed. */
  start(onMessage: (message: StreamMessage) => void): Promise<void>;
  /** Stops delivery and disconnects; unacknowledged messages stay with the broker. */
  close(): Promise<void>;
}

import type { NatsConnectionImpl } from '@nats-io/nats-core/internal';
import type { NatsConnection } from '@nats-io/transport-node';
import { CairnError } from '../../core/errors.js';

/** What NATS allows in a subject: no whitespace, which would end the protocol line. */
const SUBJECT = /^[^\s]+$/;

/**
 * NATS publishes made in one event-loop turn, sent to the server as one buffer of protocol text.
 * The client's `publish` encodes each message's header and payload into buffers of their own and
 * queues them one by one: 7 µs of CPU for a stream's decision plus its acknowledgement, against
 * 0.5–1.5 µs for the same `PUB` lines gathered over the turn and encoded once. It writes through
 * the connection's protocol handler (the client's internal entry point), so reconnect buffering
 * and flushing stay the client's.
 */
export class NatsPublishBatch {
  private lines: string[] = [];

  constructor(private readonly connection: NatsConnection) {}

  /**
   * Queues `payload` (`bytes` long in UTF-8) on `subject`, a plain subject: `checkSubject` checks
   * those that come from outside.
   */
  publish(subject: string, payload: string, bytes = Buffer.byteLength(payload)): void {
    if (this.connection.isClosed()) {
      throw new CairnError(
        'SOURCE_ERROR',
        `the NATS connection is closed; nothing was published to ${subject}`,
      );
    }
    if (bytes > (this.connection.info?.max_payload ?? Infinity)) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `a ${bytes}-byte message is over the NATS server's max_payload`,
      );
    }
    if (this.lines.length === 0) queueMicrotask(() => this.flush());
    this.lines.push(`PUB ${subject} ${bytes}\r\n${payload}\r\n`);
  }

  /** Hands what is queued to the connection (done after each turn on its own). */
  flush(): void {
    if (this.lines.length === 0 || this.connection.isClosed()) return;
    const text = this.lines.join('');
    this.lines = [];
    (this.connection as unknown as NatsConnectionImpl).protocol.sendCommand(Buffer.from(text));
  }
}

export function checkSubject(subject: string): string {
  if (!SUBJECT.test(subject)) {
    throw new CairnError('INVALID_ARGUMENT', `NATS subject '${subject}' must be non-empty, without spaces`);
  }
  return subject;
}

import { silentLogger, type Logger } from '../core/logger.js';
import type { FeatureRecord, OnlineStore } from '../features/online/online-store.js';
import { WindowEngine } from '../features/windows/window-engine.js';
import type { Database } from '../warehouse/database.js';
import { ident } from '../warehouse/sql.js';
import { asText } from '../warehouse/values.js';
import { isNumericType, parseEvent, type ParsedEvent, type ParseResult } from './event-parser.js';
import { EventTableWriter, payloadText, type DeadLetter } from './event-table-writer.js';
import type { StreamMessage, StreamSource } from './source.js';
import type { StreamSpec } from './stream-spec.js';

export interface PipelineStats {
  received: number;
  stored: number;
  duplicates: number;
  deadLettered: number;
  late: number;
  batches: number;
}

interface Received {
  message: StreamMessage;
  /** performance.now() at receipt. */
  at: number;
  parsed: ParseResult;
}

export interface PipelineOptions {
  db: Database;
  online: OnlineStore;
  source: StreamSource;
  logger?: Logger;
}

export { deadLetterTable } from './event-table-writer.js';

/**
 * A streaming pipeline: messages from a source land in a warehouse table in micro-batches and
 * update windowed features in the online store. At-least-once with idempotency keys: a batch is
 * acknowledged only after it is stored, and an event whose id is already stored is skipped, so a
 * redelivered event changes nothing. Malformed events go to `<table>_dead_letter` with the reason.
 */
export class StreamPipeline {
  readonly engine: WindowEngine;
  // Parsed on receipt, so parsing the next batch overlaps DuckDB writing the last one.
  private buffer: Received[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private storing = false;
  private readonly counters: PipelineStats = {
    received: 0,
    stored: 0,
    duplicates: 0,
    deadLettered: 0,
    late: 0,
    batches: 0,
  };
  private writer: EventTableWriter | undefined;
  private readonly logger: Logger;
  /** Milliseconds from receipt to stored-and-served, per event (the latest 100,000). */
  readonly latencies: number[] = [];

  constructor(
    readonly spec: StreamSpec,
    private readonly options: PipelineOptions,
  ) {
    const textColumns = Object.keys(spec.schema).filter((c) => !isNumericType(spec.schema[c]));
    this.engine = new WindowEngine(spec.features, {
      allowedLatenessMs: spec.latenessMs,
      textColumns: new Set(textColumns),
    });
    this.logger = options.logger ?? silentLogger;
  }

  get stats(): PipelineStats {
    return { ...this.counters };
  }

  async start(): Promise<void> {
    this.writer = await EventTableWriter.open(this.options.db, this.spec);
    await this.replay();
    await this.options.source.start((message) => this.receive(message));
  }

  /** Rebuilds the windows from the stored events, so a restarted pipeline serves the same features. */
  private async replay(): Promise<void> {
    if (this.spec.features.length === 0) return;
    const { entity, timestamp, table } = this.spec;
    const rows = await this.options.db.rows(
      `SELECT CAST(${ident(entity)} AS VARCHAR) AS __entity, epoch_ms(${ident(timestamp)}) AS __ms, * FROM main.${ident(table)} ORDER BY ${ident(timestamp)}, _received_at`,
    );
    const touched = new Set<string>();
    for (const row of rows) {
      this.engine.update(asText(row.__entity), Number(row.__ms), row);
      touched.add(asText(row.__entity));
    }
    await this.publish(touched);
    if (rows.length > 0)
      this.logger.info(
        { pipeline: this.spec.name, events: rows.length },
        'stream windows rebuilt from the table',
      );
  }

  private receive(message: StreamMessage): void {
    this.counters.received++;
    this.buffer.push({ message, at: performance.now(), parsed: parseEvent(this.spec, message.data) });
    if (this.buffer.length >= Math.min(this.spec.batchSize, this.options.source.maxUnacked ?? Infinity))
      this.flushSoon(0);
    else this.flushSoon(this.spec.batchWaitMs);
  }

  private flushSoon(wait: number): void {
    if (this.timer && wait > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.storing) this.storeNext();
    }, wait);
  }

  /**
   * Stores the next batch (up to the batch size). One batch is written at a time; what arrives
   * meanwhile forms the next one, which starts as soon as the write ends — so under load batches grow
   * toward the batch size and DuckDB's per-commit cost is shared by more events.
   */
  private storeNext(): void {
    const batch = this.buffer.splice(0, this.spec.batchSize);
    if (batch.length === 0) return;
    this.storing = true;
    this.flushing = this.store(batch)
      .catch((error: unknown) => {
        // Nothing is acknowledged: the broker delivers the batch again.
        this.logger.error(
          { err: error, pipeline: this.spec.name },
          'stream batch failed; it will be redelivered',
        );
      })
      .finally(() => {
        this.storing = false;
        if (this.buffer.length > 0) this.storeNext();
      });
  }

  /** Resolves once everything buffered so far has been stored (or failed and left for redelivery). */
  async flush(): Promise<void> {
    while (this.storing || this.buffer.length > 0) {
      if (!this.storing) this.storeNext();
      await this.flushing;
    }
  }

  private async store(batch: Received[]): Promise<void> {
    const events = new Map<string, { event: ParsedEvent; data: Uint8Array }>();
    const dead: DeadLetter[] = [];
    for (const { message, parsed } of batch) {
      if (!parsed.ok) dead.push({ payload: payloadText(message.data), reason: parsed.reason });
      else if (events.has(parsed.event.id)) this.counters.duplicates++;
      else events.set(parsed.event.id, { event: parsed.event, data: message.data });
    }
    const before = dead.length;
    const inserted = await this.writer!.write([...events.values()], dead);
    const unfit = dead.length - before;
    this.counters.duplicates += events.size - unfit - inserted.size;
    this.counters.stored += inserted.size;
    this.counters.deadLettered += dead.length;
    const fresh: ParsedEvent[] = [];
    for (const { event } of events.values()) if (inserted.has(event.id)) fresh.push(event);
    fresh.sort((a, b) => a.ms - b.ms);
    const touched = new Set<string>();
    for (const event of fresh) {
      if (this.engine.update(event.entity, event.ms, event.values) === 'late') this.counters.late++;
      touched.add(event.entity);
    }
    await this.publish(touched);
    this.counters.batches++;
    const now = performance.now();
    for (const { message, at } of batch) {
      message.ack();
      if (this.latencies.length < 100_000) this.latencies.push(now - at);
    }
  }

  private async publish(entities: Set<string>): Promise<void> {
    if (this.spec.features.length === 0 || entities.size === 0) return;
    const records = new Map<string, FeatureRecord>();
    for (const entity of entities) records.set(entity, this.engine.record(entity)!);
    await this.options.online.write(this.spec.view, records);
  }

  /** Resolves once `count` messages were received and every batch so far is stored. */
  async drained(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.counters.received < count || this.buffer.length > 0) {
      if (Date.now() > deadline)
        throw new Error(
          `stream ${this.spec.name} received ${this.counters.received} of ${count} messages in ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.flush();
  }

  /** Stores what is buffered, then stops the source. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.flush();
    await this.options.source.close();
    // Messages that arrived while the source was closing stay unacknowledged: the broker keeps them.
    clearTimeout(this.timer);
    this.buffer = [];
    await this.flushing;
    this.writer?.close();
    this.writer = undefined;
  }
}

import type { DuckDBValue } from '@duckdb/node-api';
import { silentLogger, type Logger } from '../core/logger.js';
import type { FeatureRecord, OnlineStore } from '../features/online/online-store.js';
import { WindowEngine } from '../features/windows/window-engine.js';
import type { Database } from '../warehouse/database.js';
import { ident } from '../warehouse/sql.js';
import { asText } from '../warehouse/values.js';
import { parseEvent, type ParsedEvent } from './event-parser.js';
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

export interface PipelineOptions {
  db: Database;
  online: OnlineStore;
  source: StreamSource;
  logger?: Logger;
}

export function deadLetterTable(table: string): string {
  return `${table}_dead_letter`;
}

/**
 * A streaming pipeline: messages from a source land in a warehouse table in micro-batches and
 * update windowed features in the online store. At-least-once with idempotency keys: a batch is
 * acknowledged only after it is stored, and an event whose id is already stored is skipped, so a
 * redelivered event changes nothing. Malformed events go to `<table>_dead_letter` with the reason.
 */
export class StreamPipeline {
  readonly engine: WindowEngine;
  private buffer: { message: StreamMessage; at: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly counters: PipelineStats = {
    received: 0,
    stored: 0,
    duplicates: 0,
    deadLettered: 0,
    late: 0,
    batches: 0,
  };
  private readonly columns: string[];
  private readonly textColumns: Set<string>;
  private readonly logger: Logger;
  /** Milliseconds from receipt to stored-and-served, per event (the latest 100,000). */
  readonly latencies: number[] = [];

  constructor(
    readonly spec: StreamSpec,
    private readonly options: PipelineOptions,
  ) {
    this.columns = Object.keys(spec.schema);
    this.textColumns = new Set(this.columns.filter((c) => !/INT|FLOAT|DOUBLE|DECIMAL/.test(spec.schema[c])));
    this.engine = new WindowEngine(spec.features, {
      allowedLatenessMs: spec.latenessMs,
      textColumns: this.textColumns,
    });
    this.logger = options.logger ?? silentLogger;
  }

  get stats(): PipelineStats {
    return { ...this.counters };
  }

  async start(): Promise<void> {
    const { db } = this.options;
    const { table, id } = this.spec;
    const columns = this.columns.map(
      (c) => `${ident(c)} ${this.spec.schema[c]}${c === id ? ' PRIMARY KEY' : ''}`,
    );
    await db.run(
      `CREATE TABLE IF NOT EXISTS main.${ident(table)} (${columns.join(', ')}, _received_at TIMESTAMP)`,
    );
    await db.run(
      `CREATE TABLE IF NOT EXISTS main.${ident(deadLetterTable(table))} (received_at TIMESTAMP, pipeline VARCHAR, payload VARCHAR, reason VARCHAR)`,
    );
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
    this.buffer.push({ message, at: performance.now() });
    if (this.buffer.length >= Math.min(this.spec.batchSize, this.options.source.maxUnacked ?? Infinity))
      this.flushSoon(0);
    else this.flushSoon(this.spec.batchWaitMs);
  }

  private flushSoon(wait: number): void {
    if (this.timer && wait > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  /** Stores whatever is buffered; batches run one after another. */
  flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.store(batch).catch((error: unknown) => {
        // Nothing is acknowledged: the broker delivers the batch again.
        this.logger.error(
          { err: error, pipeline: this.spec.name },
          'stream batch failed; it will be redelivered',
        );
      }),
    );
    return this.flushing;
  }

  private async store(batch: { message: StreamMessage; at: number }[]): Promise<void> {
    const { db } = this.options;
    const events = new Map<string, ParsedEvent>();
    const dead: { payload: string; reason: string }[] = [];
    for (const { message } of batch) {
      const parsed = parseEvent(this.spec, message.data);
      if (!parsed.ok)
        dead.push({
          payload: Buffer.from(message.data).toString('utf8').slice(0, 10_000),
          reason: parsed.reason,
        });
      else if (events.has(parsed.event.id)) this.counters.duplicates++;
      else events.set(parsed.event.id, parsed.event);
    }
    const inserted = new Set<string>();
    await db.transaction(async (connection) => {
      if (events.size > 0) {
        const params: DuckDBValue[] = [];
        const rows: string[] = [];
        for (const event of events.values()) {
          rows.push(
            `(${this.columns.map((c) => `CAST(? AS ${this.spec.schema[c]})`).join(', ')}, current_timestamp::TIMESTAMP)`,
          );
          for (const c of this.columns) params.push(event.values[c]);
        }
        const names = [...this.columns.map(ident), '_received_at'].join(', ');
        const reader = await connection.runAndReadAll(
          `INSERT INTO main.${ident(this.spec.table)} (${names}) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING RETURNING CAST(${ident(this.spec.id)} AS VARCHAR)`,
          params,
        );
        for (const [id] of reader.getRows()) inserted.add(String(id));
      }
      if (dead.length > 0) {
        const values = dead.map(() => `(current_timestamp::TIMESTAMP, ?, ?, ?)`).join(', ');
        await connection.run(
          `INSERT INTO main.${ident(deadLetterTable(this.spec.table))} VALUES ${values}`,
          dead.flatMap((d) => [this.spec.name, d.payload, d.reason]),
        );
      }
    });
    this.counters.duplicates += events.size - inserted.size;
    this.counters.stored += inserted.size;
    this.counters.deadLettered += dead.length;
    const fresh = [...events.values()].filter((e) => inserted.has(e.id)).sort((a, b) => a.ms - b.ms);
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
  }
}

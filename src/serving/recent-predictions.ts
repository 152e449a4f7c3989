import { randomBytes } from 'node:crypto';
import type { PredictionRecord } from '../models/model.js';
import type { TargetInfo } from '../models/target.js';

/** What a label is compared with: the value (regression), P(positive) (binary) or the class (others). */
export interface ScoredRows {
  /** The stats key of the variant or shadow that made these predictions. */
  key: string;
  target: TargetInfo;
  scores: Float64Array;
}

const NONE = -1;

/**
 * The predictions of the most recent requests, kept so labels that arrive later can be scored.
 *
 * Everything lives in preallocated typed arrays, ring buffers by request and by score: a serving
 * process at 2,000 requests/s kept 100,000 requests as objects, and carrying that heap made every
 * young-generation collection copy and scan it (3 ms pauses, 100 MB old space, a p99 several
 * times the median). A request id names its slot, so a lookup needs no map either.
 */
export class RecentPredictions {
  private readonly prefix = randomBytes(4).toString('hex');
  private next = 0;
  /** Per slot: the request it holds, the model's index in `models`, and up to two score spans. */
  private readonly request: Float64Array;
  private readonly model: Int32Array;
  private readonly spans: Span[];
  private readonly models: string[] = [];
  private readonly modelIndex = new Map<string, number>();
  /** Stats key → its target, the same for every request the key answers. */
  private readonly keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly targets: TargetInfo[] = [];
  private readonly scores: Float64Array;
  /** Scores ever written; a span is readable while its start is within the last `scores.length`. */
  private written = 0;

  constructor(
    readonly capacity: number,
    scoreCapacity = capacity * 10,
  ) {
    this.request = new Float64Array(capacity).fill(NONE);
    this.model = new Int32Array(capacity);
    this.spans = [new Span(capacity), new Span(capacity)];
    this.scores = new Float64Array(scoreCapacity);
  }

  /** Remembers the answer to a new request; returns its id. */
  add(model: string, key: string, target: TargetInfo, predictions: readonly PredictionRecord[]): string {
    const seq = this.next++;
    const slot = seq % this.capacity;
    this.request[slot] = seq;
    this.model[slot] = indexOf(this.modelIndex, this.models, model);
    this.spans[1].clear(slot);
    this.write(this.spans[0], slot, key, target, predictions);
    return `${this.prefix}-${seq}`;
  }

  /** Adds a shadow's predictions to a request still remembered. */
  addShadow(id: string, key: string, target: TargetInfo, predictions: readonly PredictionRecord[]): void {
    const slot = this.slotOf(id);
    if (slot !== NONE) this.write(this.spans[1], slot, key, target, predictions);
  }

  /** The model that answered `id` and what each of its variants predicted, or null once forgotten. */
  get(id: string): { model: string; rows: ScoredRows[] } | null {
    const slot = this.slotOf(id);
    if (slot === NONE) return null;
    const rows: ScoredRows[] = [];
    for (const span of this.spans) {
      const start = span.start[slot];
      if (span.key[slot] === NONE || start < this.written - this.scores.length) continue;
      const scores = new Float64Array(span.length[slot]);
      for (let i = 0; i < scores.length; i++) scores[i] = this.scores[(start + i) % this.scores.length];
      const key = span.key[slot];
      rows.push({ key: this.keys[key], target: this.targets[key], scores });
    }
    return rows.length === 0 ? null : { model: this.models[this.model[slot]], rows };
  }

  /** The target of any remembered request of `model`'s, or undefined. */
  targetOf(model: string): TargetInfo | undefined {
    const index = this.keys.findIndex((key) => key.startsWith(`${model}@`));
    return index === NONE ? undefined : this.targets[index];
  }

  private slotOf(id: string): number {
    const dash = id.indexOf('-');
    if (dash < 0 || id.slice(0, dash) !== this.prefix) return NONE;
    const seq = Number(id.slice(dash + 1));
    if (!Number.isSafeInteger(seq) || seq < 0) return NONE;
    const slot = seq % this.capacity;
    return this.request[slot] === seq ? slot : NONE;
  }

  private write(
    span: Span,
    slot: number,
    key: string,
    target: TargetInfo,
    predictions: readonly PredictionRecord[],
  ): void {
    const index = indexOf(this.keyIndex, this.keys, key);
    this.targets[index] ??= target;
    span.key[slot] = index;
    span.start[slot] = this.written;
    span.length[slot] = predictions.length;
    const n = this.scores.length;
    for (const p of predictions) this.scores[this.written++ % n] = scoreOf(target, p);
  }
}

/** One score span per slot: which stats key made it and where its scores are. */
class Span {
  readonly key: Int32Array;
  readonly start: Float64Array;
  readonly length: Uint32Array;

  constructor(capacity: number) {
    this.key = new Int32Array(capacity).fill(NONE);
    this.start = new Float64Array(capacity);
    this.length = new Uint32Array(capacity);
  }

  clear(slot: number): void {
    this.key[slot] = NONE;
  }
}

function scoreOf(target: TargetInfo, p: PredictionRecord): number {
  if (target.task === 'regression') return Number(p.prediction);
  if (target.task === 'binary') return Number(p.probability);
  return target.classes?.indexOf(String(p.prediction)) ?? NONE;
}

function indexOf(index: Map<string, number>, names: string[], name: string): number {
  let at = index.get(name);
  if (at === undefined) {
    at = names.push(name) - 1;
    index.set(name, at);
  }
  return at;
}

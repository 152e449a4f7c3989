/**
 * Ids per generation. A JavaScript Set rehashes every entry when it grows and, once full, again
 * after each run of deletions: at hundreds of thousands of ids that holds the event loop for tens of
 * milliseconds. Sets of this size rehash in well under a millisecond.
 */
const GENERATION_IDS = 16_384;
/** Counters in the filter: 4M bytes, about 8 per id kept by default, so ~5% of new ids pass it. */
const FILTER_SIZE = 1 << 22;
/** A counter that reached this stays: it may over-count, never under-count. */
const STUCK = 255;

/**
 * The most recent `capacity` transaction ids (the oldest generation of ids is forgotten first, so
 * between `capacity` and `capacity` + GENERATION_IDS are kept): enough to recognise a message a broker
 * delivers again (after a lost ack or a restart) without keeping every id ever seen.
 *
 * Almost every id asked about is new, and asking thirty generations in turn cost a stream ~7% of its
 * time; a counting filter (two counters per id, dropped with its generation) answers most of them
 * with two array reads.
 */
export class RecentIds {
  /** Oldest first; only the last one takes new ids. */
  private readonly generations: Set<string>[] = [new Set()];
  private older = 0;
  private readonly counts = new Uint8Array(FILTER_SIZE);

  constructor(readonly capacity = 500_000) {}

  has(id: string): boolean {
    const h = hash(id);
    if (this.counts[first(h)] === 0 || this.counts[second(h)] === 0) return false;
    for (let g = this.generations.length - 1; g >= 0; g--) if (this.generations[g].has(id)) return true;
    return false;
  }

  add(id: string): void {
    let newest = this.generations[this.generations.length - 1];
    if (newest.has(id)) return;
    if (newest.size >= GENERATION_IDS) {
      this.older += newest.size;
      newest = new Set();
      this.generations.push(newest);
    }
    newest.add(id);
    this.count(id, 1);
    const oldest = this.generations[0];
    if (oldest !== newest && this.size - oldest.size >= this.capacity) {
      this.generations.shift();
      this.older -= oldest.size;
      for (const old of oldest) this.count(old, -1);
    }
  }

  get size(): number {
    return this.older + this.generations[this.generations.length - 1].size;
  }

  private count(id: string, step: 1 | -1): void {
    const h = hash(id);
    this.step(first(h), step);
    this.step(second(h), step);
  }

  private step(at: number, step: 1 | -1): void {
    if (this.counts[at] !== STUCK) this.counts[at] += step;
  }
}

/** FNV-1a of the id's UTF-16 code units. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The first counter position of an id's hash. */
function first(h: number): number {
  return h & (FILTER_SIZE - 1);
}

/** A second counter position from the same hash, mixed so it is independent of the first. */
function second(h: number): number {
  const m = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (m ^ (m >>> 13)) & (FILTER_SIZE - 1);
}

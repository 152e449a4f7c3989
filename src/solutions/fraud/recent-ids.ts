/**
 * Ids per generation. A JavaScript Set rehashes every entry when it grows and, once full, again
 * after each run of deletions: at hundreds of thousands of ids that holds the event loop for tens of
 * milliseconds. Sets of this size rehash in well under a millisecond.
 */
const GENERATION_IDS = 16_384;

/**
 * The most recent `capacity` transaction ids (the oldest generation of ids is forgotten first, so
 * between `capacity` and `capacity` + GENERATION_IDS are kept): enough to recognise a message a broker
 * delivers again (after a lost ack or a restart) without keeping every id ever seen.
 */
export class RecentIds {
  /** Oldest first; only the last one takes new ids. */
  private readonly generations: Set<string>[] = [new Set()];
  private older = 0;

  constructor(readonly capacity = 500_000) {}

  has(id: string): boolean {
    for (let g = this.generations.length - 1; g >= 0; g--) if (this.generations[g].has(id)) return true;
    return false;
  }

  add(id: string): void {
    let newest = this.generations[this.generations.length - 1];
    if (newest.size >= GENERATION_IDS) {
      this.older += newest.size;
      newest = new Set();
      this.generations.push(newest);
    }
    newest.add(id);
    const oldest = this.generations[0];
    if (oldest !== newest && this.size - oldest.size >= this.capacity) {
      this.generations.shift();
      this.older -= oldest.size;
    }
  }

  get size(): number {
    return this.older + this.generations[this.generations.length - 1].size;
  }
}

/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 10_000;

/**
 * A time-to-live cache of responses: an entry is served for `ttlMs` after it was stored, and the
 * cache holds at most MAX_ENTRIES (a Map keeps insertion order, so the oldest is the first key).
 */
export class ResponseCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/**
 * The most recent `capacity` transaction ids, oldest forgotten first: enough to recognise a message
 * a broker delivers again (after a lost ack or a restart) without keeping every id ever seen.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity = 500_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }

  get size(): number {
    return this.ids.size;
  }
}

const DAY = 86_400_000;
const WINDOW_DAYS = 30;

/**
 * Fraud rates per merchant and per device over the last 30 days of labelled outcomes (analyst labels,
 * chargebacks), in daily buckets. A rate is smoothed towards the overall rate with `prior` pseudo
 * labels, so one label on a new merchant does not read as 0 % or 100 %.
 */
export class LabelRates {
  private readonly buckets = new Map<string, Map<number, [number, number]>>();
  private total = 0;
  private fraud = 0;

  constructor(private readonly prior = 5) {}

  /** Records an outcome of a transaction made at `at` (epoch ms) for every key (e.g. `m:<id>`, `d:<id>`). */
  add(keys: readonly string[], fraud: boolean, at: number): void {
    const day = Math.floor(at / DAY);
    this.total++;
    if (fraud) this.fraud++;
    for (const key of keys) {
      let days = this.buckets.get(key);
      if (days === undefined) {
        days = new Map<number, [number, number]>();
        this.buckets.set(key, days);
      }
      const bucket = days.get(day) ?? [0, 0];
      bucket[0]++;
      if (fraud) bucket[1]++;
      days.set(day, bucket);
      if (days.size > WINDOW_DAYS + 1) {
        for (const d of days.keys()) if (d <= day - WINDOW_DAYS) days.delete(d);
      }
    }
  }

  /** The smoothed fraud rate of `key` over the 30 days before `at`. */
  rate(key: string, at: number): number {
    const base = this.total === 0 ? 0 : this.fraud / this.total;
    const days = this.buckets.get(key);
    if (days === undefined) return base;
    const today = Math.floor(at / DAY);
    let n = 0;
    let f = 0;
    for (const [d, [count, bad]] of days) {
      if (d > today - WINDOW_DAYS && d <= today) {
        n += count;
        f += bad;
      }
    }
    return (f + this.prior * base) / (n + this.prior);
  }
}

import { rmse, rocAuc } from '../ml/metrics/index.js';

/** Latency buckets: 0.05 ms × 1.25^i, enough for 50 µs to many seconds. */
const BUCKETS = 80;
const FIRST_MS = 0.05;
const RATIO = 1.25;
/** Labelled predictions kept per variant for metrics (the newest). */
const MAX_LABELLED = 50_000;

export interface VariantSnapshot {
  version: number;
  role: 'variant' | 'shadow';
  requests: number;
  rows: number;
  errors: number;
  latencyMs: { p50: number; p99: number; mean: number };
  /** Once labels have arrived: how many, and AUC/accuracy (classification) or RMSE (regression). */
  labelled: number;
  metrics: Record<string, number>;
}

/** Counts, latency and label-based metrics of one version's traffic, in memory. */
export class VariantStats {
  requests = 0;
  rows = 0;
  errors = 0;
  private totalMs = 0;
  private readonly histogram = new Uint32Array(BUCKETS);
  private readonly scores: number[] = [];
  private readonly labels: number[] = [];

  constructor(
    readonly version: number,
    readonly role: 'variant' | 'shadow',
  ) {}

  record(latencyMs: number, rows: number): void {
    this.requests++;
    this.rows += rows;
    this.totalMs += latencyMs;
    const bucket = latencyMs <= FIRST_MS ? 0 : Math.ceil(Math.log(latencyMs / FIRST_MS) / Math.log(RATIO));
    this.histogram[Math.min(BUCKETS - 1, bucket)]++;
  }

  /** A label for one of this variant's predictions: the score (probability or value) and the truth. */
  label(score: number, truth: number): void {
    this.scores.push(score);
    this.labels.push(truth);
    if (this.scores.length > MAX_LABELLED) {
      this.scores.shift();
      this.labels.shift();
    }
  }

  snapshot(task: string): VariantSnapshot {
    const metrics: Record<string, number> = {};
    if (this.labels.length > 0) {
      const y = Float64Array.from(this.labels);
      const p = Float64Array.from(this.scores);
      if (task === 'regression') metrics.rmse = rmse(y, p);
      else {
        let correct = 0;
        for (let i = 0; i < y.length; i++) if (+(p[i] >= 0.5) === y[i]) correct++;
        metrics.accuracy = correct / y.length;
        if (task === 'binary' && y.some((v) => v === 1) && y.some((v) => v === 0)) metrics.auc = rocAuc(y, p);
      }
    }
    return {
      version: this.version,
      role: this.role,
      requests: this.requests,
      rows: this.rows,
      errors: this.errors,
      latencyMs: {
        p50: this.quantile(0.5),
        p99: this.quantile(0.99),
        mean: this.requests ? this.totalMs / this.requests : 0,
      },
      labelled: this.labels.length,
      metrics,
    };
  }

  /** The upper edge of the bucket holding quantile q. */
  private quantile(q: number): number {
    if (this.requests === 0) return 0;
    const target = q * this.requests;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.histogram[b];
      if (seen >= target) return FIRST_MS * RATIO ** b;
    }
    return FIRST_MS * RATIO ** (BUCKETS - 1);
  }
}

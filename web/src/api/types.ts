/** The shapes of the API responses the dashboard reads (see the server's /openapi.json). */

export interface TableSummary {
  name: string;
  rows: number;
}

export interface Column {
  name: string;
  type: string;
  nullable: boolean;
}

export type Row = Record<string, unknown>;

export interface TableDetail extends TableSummary {
  columns: Column[];
  sample: Row[];
}

export interface RowsPage {
  table: string;
  offset: number;
  total: number;
  rows: Row[];
}

export interface ColumnProfile {
  name: string;
  type: string;
  kind: string;
  nulls: number;
  null_rate: number;
  distinct: number;
  approximate: boolean;
  min: unknown;
  max: unknown;
  mean: number | null;
  std: number | null;
  histogram: { edges: number[]; counts: number[] } | null;
  top: { value: unknown; count: number }[];
  semantic: string | null;
}

export interface Profile {
  table: string;
  rows: number;
  profiled_at: string;
  seconds: number;
  columns: ColumnProfile[];
}

export interface CheckRun {
  run_id: string;
  trigger: string;
  checked_at: string;
  passed: boolean;
  rows: number;
  failed_rules: number;
  anomalies: number;
}

export interface CheckReport {
  passed: boolean;
  results: {
    check: string;
    column?: string;
    severity: string;
    passed: boolean;
    failing: number;
    message: string;
  }[];
}

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Row[];
  truncated: boolean;
}

export type Stage = 'none' | 'staging' | 'production' | 'archived';

export interface ModelVersion {
  name: string;
  version: number;
  stage: Stage;
  task: string;
  algorithm: string;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  data: { source: string; rows: number; hash: string };
  createdAt: string;
}

export interface ModelDetail {
  name: string;
  versions: ModelVersion[];
  traffic: {
    version: number;
    role: string;
    requests: number;
    rows: number;
    latencyMs: { p50: number; p99: number };
  }[];
}

export interface ModelCard {
  model: string;
  version: number;
  stage: Stage;
  task: string;
  algorithm: string;
  createdAt: string;
  durationSeconds: number;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  data: { source: string; rows: number; hash: string };
  target: { column: string; task: string; classes?: string[] };
  features: { name: string; column: string; kind: string }[];
  evaluation: {
    curves?: {
      roc: { fpr: number[]; tpr: number[] };
      pr: { recall: number[]; precision: number[] };
      calibration: { mean_predicted: number[]; observed_rate: number[]; count: number[] };
    };
    confusion?: { labels: string[]; counts: number[][] };
    residuals?: { actual: number[]; predicted: number[] };
    importance?: { feature: string; importance: number }[];
  } | null;
}

export interface Explanation {
  base: number;
  top: { feature: string; value: number | string | null; contribution: number }[];
}

export interface PredictResponse {
  model: string;
  version: number;
  predictions: Record<string, string | number>[];
  explanations?: Explanation[];
}

export interface StageChange {
  model: string;
  version: number;
  stage: Stage;
  archived: number[];
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  progress: number;
  message: string;
  result: unknown;
  error: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobDetail extends Job {
  log: { at: string; level: string; message: string }[];
}

export interface Overview {
  tables: TableSummary[];
  models: {
    name: string;
    task: string;
    versions: number;
    latest: number;
    production: number | null;
    staging: number | null;
    metrics: Record<string, unknown>;
  }[];
  jobs: {
    counts: Record<string, number>;
    recent: Pick<Job, 'id' | 'kind' | 'status' | 'progress' | 'createdAt'>[];
  };
  alerts: { id: string; message: string; at: string }[];
  qualityFailures: { table: string; run_id: string; checked_at: string; trigger: string }[];
}

export interface SegmentView {
  model: string;
  version: number;
  algorithm: string;
  /** The table scored, else its source: `file:…` or `query:…`. */
  source: string;
  total_rows: number;
  scored_rows: number;
  features: string[];
  points: { x: number[]; y: number[]; cluster: number[] };
  clusters: {
    cluster: number;
    size: number;
    share: number;
    values: Record<string, number | string | null>;
  }[];
}

export interface AnomalyTimeline {
  model: string;
  version: number;
  algorithm: string;
  /** The table scored, else its source: `file:…` or `query:…`. */
  source: string;
  time_column: string;
  total_rows: number;
  scored_rows: number;
  flagged: number;
  threshold: number | null;
  points: { t: string[]; score: number[]; flagged: number[] };
  top: { t: string; score: number; values: Record<string, number | string | null> }[];
}

export type FraudDecision = 'APPROVE' | 'REVIEW' | 'STEP_UP' | 'BLOCK';

export interface FraudReason {
  type: 'rule' | 'feature' | 'fallback';
  code: string;
  description: string;
}

export interface LoggedDecision {
  transaction_id: string;
  user_id: string;
  amount: number;
  currency: string;
  merchant_id: string;
  decision: FraudDecision;
  score: number;
  method: string;
  reasons: FraudReason[];
  latency_ms: number;
  decided_at: string;
}

export interface RecentDecisions {
  decisions: LoggedDecision[];
  counts: Partial<Record<FraudDecision, number>>;
}

export interface ReviewItem {
  transaction_id: string;
  decision: FraudDecision;
  score: number;
  reasons: FraudReason[];
  transaction: { user_id: string; amount: number; currency: string; merchant_id: string; timestamp: string };
  status: 'open' | 'labelled';
  label: 'fraud' | 'legit' | null;
  analyst: string | null;
  note: string | null;
  created_at: string;
  labelled_at: string | null;
}

export interface Whoami {
  actor: string;
  role: string;
  via: string;
}

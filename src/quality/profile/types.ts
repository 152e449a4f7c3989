import type { JsonValue } from '../../warehouse/values.js';

export const SEMANTIC_TYPES = ['email', 'phone', 'url', 'date', 'identifier', 'card', 'free_text'] as const;
export type SemanticType = (typeof SEMANTIC_TYPES)[number];

/** How a column is profiled, from its DuckDB type. */
export type ColumnKind = 'numeric' | 'temporal' | 'boolean' | 'text' | 'other';

export interface Quantiles {
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

/** Equal-width bins: `edges` has one more entry than `counts`; the last bin includes its upper edge. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface TopValue {
  value: JsonValue;
  count: number;
}

/** One column's profile; keys are snake_case because they are the `cairn profile --json` contract. */
export interface ColumnProfile {
  name: string;
  type: string;
  kind: ColumnKind;
  nulls: number;
  null_rate: number;
  distinct: number;
  /** True when `distinct` and the quantiles are sketches (HyperLogLog, t-digest) rather than exact. */
  approximate: boolean;
  min: JsonValue;
  max: JsonValue;
  mean: number | null;
  std: number | null;
  quantiles: Quantiles | null;
  /** Numeric columns: values; temporal columns: seconds since 1970. */
  histogram: Histogram | null;
  top: TopValue[];
  /** Text columns: shortest, mean and longest length in characters. */
  length: { min: number; mean: number; max: number } | null;
  semantic: SemanticType | null;
  /** Share of the sampled non-null values that fit `semantic`, 0..1. */
  semantic_share: number | null;
}

export interface CorrelationMatrix {
  columns: string[];
  /** Pearson correlation, row-major, columns × columns; null where undefined (a constant column). */
  matrix: (number | null)[][];
}

export interface TableProfile {
  id: string;
  table: string;
  rows: number;
  profiled_at: string;
  seconds: number;
  columns: ColumnProfile[];
  correlation: CorrelationMatrix;
}

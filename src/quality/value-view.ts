import type { JsonRow, JsonValue } from '../warehouse/values.js';

/**
 * How the caller may see a table's values; quality outputs (profiles, check samples, duplicate
 * clusters) pass through one before they leave. The security module builds it from the caller's
 * masking policy (security/reader-view.ts).
 */
export interface ValueView {
  /** Whether the caller sees this column other than in clear. */
  hides(column: string): boolean;
  show(column: string, value: JsonValue): JsonValue;
  rows<R extends JsonRow>(rows: readonly R[]): R[];
}

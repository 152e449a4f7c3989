import type { ValueView } from '../value-view.js';
import type { RuleResult } from './check.js';

/** Table-level checks whose observed value is a value of the column (not a count or a statistic). */
const OBSERVES_VALUES = new Set<RuleResult['check']>(['freshness', 'mean', 'quantile']);

/** One rule result as the view's caller may see it: sample rows masked, hidden measures withheld. */
function maskResult(result: RuleResult, view: ValueView): RuleResult {
  const sample = view.rows(result.sample);
  if (!(result.column && view.hides(result.column) && OBSERVES_VALUES.has(result.check)))
    return { ...result, sample };
  return {
    ...result,
    sample,
    observed: null,
    message: `${result.check} '${result.column}': the observed value is hidden by the column's masking policy${result.passed ? '' : ' — outside the bounds'}`,
  };
}

/** A check report as the view's caller may see it. */
export function maskCheckReport<R extends { results: RuleResult[] }>(report: R, view: ValueView): R {
  return { ...report, results: report.results.map((r) => maskResult(r, view)) };
}

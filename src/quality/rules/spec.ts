import { readDocumentFile } from '../../core/document-file.js';
import { z } from 'zod';
import { CairnError } from '../../core/errors.js';

export const SEVERITIES = ['warn', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const base = {
  /** A label for the result; defaults to the check's name. */
  name: z.string().min(1).max(200).optional(),
  severity: z.enum(SEVERITIES).default('error'),
};
const column = z.string().min(1);
const bound = z.union([z.number(), z.string()]);
/** A DuckDB interval such as '24 hours' or '7 days'. */
export const AGE = /^\s*\d+(\.\d+)?\s*(second|minute|hour|day|week|month|year)s?\s*$/i;

const reference = z.union([
  z.object({ table: z.string().min(1), column: z.string().min(1).optional() }).strict(),
  z.object({ profile: z.string().min(1).default('latest') }).strict(),
]);

/** Every check a rules file may hold; the union is the single definition of the rules contract. */
export const ruleSchema = z.discriminatedUnion('check', [
  z.object({ check: z.literal('not_null'), column, ...base }).strict(),
  z
    .object({
      check: z.literal('unique'),
      column: column.optional(),
      columns: z.array(column).min(1).optional(),
      ...base,
    })
    .strict()
    .refine((r) => (r.column === undefined) !== (r.columns === undefined), {
      message: 'unique takes either column or columns',
    }),
  z
    .object({ check: z.literal('range'), column, min: bound.optional(), max: bound.optional(), ...base })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'range needs min, max or both' }),
  z.object({ check: z.literal('in_set'), column, values: z.array(scalar).min(1), ...base }).strict(),
  z.object({ check: z.literal('regex'), column, pattern: z.string().min(1), ...base }).strict(),
  z.object({ check: z.literal('type'), column, type: z.string().min(1), ...base }).strict(),
  z
    .object({
      check: z.literal('row_count'),
      min: z.number().int().min(0).optional(),
      max: z.number().int().min(0).optional(),
      ...base,
    })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, {
      message: 'row_count needs min, max or both',
    }),
  z
    .object({
      check: z.literal('freshness'),
      column,
      max_age: z.string().regex(AGE, "max_age is an interval such as '24 hours' or '7 days'"),
      ...base,
    })
    .strict(),
  z
    .object({
      check: z.literal('references'),
      column,
      table: z.string().min(1),
      ref_column: z.string().min(1).optional(),
      ...base,
    })
    .strict(),
  z.object({ check: z.literal('sql'), predicate: z.string().min(1), ...base }).strict(),
  z
    .object({
      check: z.literal('mean'),
      column,
      min: z.number().optional(),
      max: z.number().optional(),
      ...base,
    })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'mean needs min, max or both' }),
  z
    .object({
      check: z.literal('quantile'),
      column,
      q: z.number().min(0).max(1),
      min: z.number().optional(),
      max: z.number().optional(),
      ...base,
    })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, {
      message: 'quantile needs min, max or both',
    }),
  z
    .object({
      check: z.literal('drift'),
      column,
      method: z.enum(['psi', 'ks']).default('psi'),
      /** Largest PSI or KS statistic that passes; default 0.2 for PSI, 0.1 for KS. */
      threshold: z.number().positive().optional(),
      reference,
      ...base,
    })
    .strict(),
]);

export type Rule = z.infer<typeof ruleSchema>;
export type CheckName = Rule['check'];

export const ruleSetSchema = z
  .object({
    table: z.string().min(1).optional(),
    /** What an `error` rule failing at ingest does: stop the ingest, or quarantine the offending rows. */
    on_ingest: z.enum(['block', 'quarantine', 'off']).optional(),
    /** A cron expression (5 or 6 fields) for scheduled checks. */
    schedule: z.string().min(1).optional(),
    rules: z.array(ruleSchema),
  })
  .strict();

export type RuleSet = z.infer<typeof ruleSetSchema>;
/** What a rules file holds before defaults are filled in. */
export type RuleSetInput = z.input<typeof ruleSetSchema>;

function describeIssues(error: z.ZodError, where: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return `${where}${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Checks a parsed rules document; messages name the rule by its position (rules[2].column…). */
export function parseRuleSet(value: unknown, where = 'rules file'): RuleSet {
  const parsed = ruleSetSchema.safeParse(value);
  if (!parsed.success) throw new CairnError('INVALID_ARGUMENT', describeIssues(parsed.error, where));
  return parsed.data;
}

/** Reads a rules file, YAML or JSON (JSON is YAML, so one parser serves both). */
export function readRuleSetFile(file: string): RuleSet {
  const value = readDocumentFile(file, 'rules file');
  return parseRuleSet(value, file);
}

/** The columns a rule looks at, as its result reports them. */
export function ruleColumns(rule: Rule): { column?: string; columns?: string[] } {
  if (rule.check === 'unique') return rule.columns ? { columns: rule.columns } : { column: rule.column };
  if ('column' in rule && typeof rule.column === 'string') return { column: rule.column };
  return {};
}

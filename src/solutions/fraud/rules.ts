import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CairnError, errorMessage } from '../../core/errors.js';

export const RULE_OPS = ['>', '>=', '<', '<=', '==', '!=', 'in', 'not_in'] as const;
export type RuleOp = (typeof RULE_OPS)[number];

/**
 * What a fired rule does: `block` decides BLOCK before any model runs; `review` makes the decision at
 * least REVIEW; `score` (the default) only feeds its confidence to the ensemble and lists its reason.
 */
export const RULE_ACTIONS = ['block', 'review', 'score'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { feature: string; op: RuleOp; value?: number | string | (number | string)[]; list?: string };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(condition).min(1) }).strict(),
    z.object({ any: z.array(condition).min(1) }).strict(),
    z
      .object({
        feature: z.string().min(1),
        op: z.enum(RULE_OPS),
        value: z.union([z.number(), z.string(), z.array(z.union([z.number(), z.string()]))]).optional(),
        list: z.string().min(1).optional(),
      })
      .strict(),
  ]),
);

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'rule ids are lower_snake_case'),
    reason: z.string().min(1).max(500),
    /** How sure a firing makes us that the transaction is fraud, in [0, 1]. */
    confidence: z.number().min(0).max(1),
    action: z.enum(RULE_ACTIONS).default('score'),
    enabled: z.boolean().default(true),
    when: condition,
  })
  .strict();

export const ruleSetSchema = z
  .object({
    /** Named block lists (device, merchant, user ids …) that `in` / `not_in` conditions refer to. */
    lists: z.record(z.string(), z.array(z.string())).default({}),
    rules: z.array(ruleSchema),
  })
  .strict();

export type Rule = z.infer<typeof ruleSchema>;
export type RuleSet = z.infer<typeof ruleSetSchema>;
export type RuleInput = Readonly<Record<string, number | string>>;

export interface FiredRule {
  id: string;
  reason: string;
  confidence: number;
  action: RuleAction;
}

/** A rule set checked against the fields it may name, ready to evaluate. */
export interface CompiledRules {
  readonly set: RuleSet;
  /** The enabled rules that fire on the input, in file order. */
  evaluate(input: RuleInput): FiredRule[];
}

/** Parses a rule set from YAML or JSON text (JSON is YAML), or from an already parsed value. */
export function parseRuleSet(source: unknown, what = 'rule set'): RuleSet {
  let value = source;
  if (typeof source === 'string') {
    try {
      value = parseYaml(source) as unknown;
    } catch (error) {
      throw new CairnError('INVALID_ARGUMENT', `${what} is not valid JSON or YAML: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }
  const parsed = ruleSetSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      {
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      },
    );
  }
  const ids = new Set<string>();
  for (const rule of parsed.data.rules) {
    if (ids.has(rule.id))
      throw new CairnError('INVALID_ARGUMENT', `${what}: rule id '${rule.id}' appears twice`);
    ids.add(rule.id);
  }
  return parsed.data;
}

type Predicate = (input: RuleInput) => boolean;

/** Compiles a rule set to closures; every feature a rule names must be one of `fields`. */
export function compileRules(set: RuleSet, fields: readonly string[]): CompiledRules {
  const known = new Set(fields);
  const compiled = set.rules
    .filter((rule) => rule.enabled)
    .map((rule) => ({
      fired: { id: rule.id, reason: rule.reason, confidence: rule.confidence, action: rule.action },
      test: compileCondition(rule.when, rule.id, set, known),
    }));
  return {
    set,
    evaluate(input) {
      const fired: FiredRule[] = [];
      for (const rule of compiled) if (rule.test(input)) fired.push(rule.fired);
      return fired;
    },
  };
}

function compileCondition(c: Condition, id: string, set: RuleSet, known: Set<string>): Predicate {
  if ('all' in c) {
    const parts = c.all.map((p) => compileCondition(p, id, set, known));
    return (input) => parts.every((p) => p(input));
  }
  if ('any' in c) {
    const parts = c.any.map((p) => compileCondition(p, id, set, known));
    return (input) => parts.some((p) => p(input));
  }
  const { feature, op } = c;
  if (!known.has(feature)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `rule '${id}' names feature '${feature}', which is not one of ${[...known].join(', ')}`,
    );
  }
  if (op === 'in' || op === 'not_in') {
    const members = memberSet(c, id, set);
    const inside: Predicate = (input) => members.has(String(input[feature]));
    return op === 'in' ? inside : (input) => !inside(input);
  }
  const value = c.value;
  if (value === undefined || Array.isArray(value)) {
    throw new CairnError('INVALID_ARGUMENT', `rule '${id}': '${op}' on '${feature}' needs one value`);
  }
  return comparison(feature, op, value);
}

function memberSet(c: { value?: unknown; list?: string }, id: string, set: RuleSet): Set<string> {
  if (c.list !== undefined) {
    const list = set.lists[c.list];
    if (list === undefined) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `rule '${id}' refers to list '${c.list}', which the rule set does not define (lists: ${Object.keys(set.lists).join(', ') || 'none'})`,
      );
    }
    return new Set(list);
  }
  if (!Array.isArray(c.value)) {
    throw new CairnError('INVALID_ARGUMENT', `rule '${id}': 'in' and 'not_in' need a list or an array value`);
  }
  return new Set(c.value.map(String));
}

/** Missing numbers (NaN) compare false, so a first transaction never trips a speed rule. */
function comparison(feature: string, op: RuleOp, value: number | string): Predicate {
  switch (op) {
    case '>':
      return (input) => (input[feature] as number) > (value as number);
    case '>=':
      return (input) => (input[feature] as number) >= (value as number);
    case '<':
      return (input) => (input[feature] as number) < (value as number);
    case '<=':
      return (input) => (input[feature] as number) <= (value as number);
    case '==':
      return (input) => input[feature] === value;
    default:
      return (input) => input[feature] !== value;
  }
}

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CairnError, errorMessage } from '../core/errors.js';

export const SUPERVISED_TASKS = ['binary', 'multiclass', 'regression'] as const;
export type SupervisedTask = (typeof SUPERVISED_TASKS)[number];

export const ALGORITHMS = ['auto', 'gbdt', 'random_forest', 'decision_tree', 'logistic', 'linear'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

const MODEL_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const NAME_RULE = 'use 1 to 63 letters, digits, _ or -, starting with a letter';
const name = z.string().regex(MODEL_NAME, NAME_RULE);

/** Model names appear in paths and URLs, so they are plain. */
export function checkModelName(value: string): string {
  if (!MODEL_NAME.test(value))
    throw new CairnError('INVALID_NAME', `model name '${value}' is not allowed; ${NAME_RULE}`);
  return value;
}

const data = z
  .object({
    table: z.string().optional(),
    file: z.string().optional(),
    query: z.string().optional(),
  })
  .strict()
  .refine((d) => [d.table, d.file, d.query].filter(Boolean).length === 1, {
    message: 'give exactly one of data.table, data.file or data.query',
  });

const features = z.union([
  z.literal('auto'),
  z.array(z.string()).min(1),
  z.object({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() }).strict(),
]);

const paramRange = z.object({ min: z.number(), max: z.number() }).strict();
const searchParam = z.discriminatedUnion('kind', [
  paramRange.extend({ kind: z.literal('int') }),
  paramRange.extend({ kind: z.literal('float') }),
  paramRange.extend({ kind: z.literal('logfloat') }),
  z
    .object({
      kind: z.literal('choice'),
      values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1),
    })
    .strict(),
]);

/** Hyperparameter search: parameters drawn from `space` override `params`; the best on an inner split wins. */
const search = z
  .object({
    /** random: independent draws; halving: successive halving over the share of training rows. */
    method: z.enum(['random', 'halving']).default('random'),
    /** random: configurations to try; halving: configurations in the first rung (default 27). */
    trials: z.number().int().min(1).optional(),
    time_budget_s: z.number().positive().optional(),
    space: z.record(z.string(), searchParam).refine((space) => Object.keys(space).length > 0, {
      message: 'give at least one parameter to search',
    }),
  })
  .strict()
  .refine((s) => s.method === 'halving' || s.trials !== undefined || s.time_budget_s !== undefined, {
    message: 'random search needs trials or time_budget_s',
  });

/** A model spec as users write it (JSON or YAML); see DESIGN.md. */
export const modelSpecSchema = z
  .object({
    name,
    task: z.enum(SUPERVISED_TASKS).optional().describe('Absent: inferred from the target column'),
    algorithm: z.enum(ALGORITHMS).default('auto'),
    data,
    target: z.string().min(1),
    features: features.default('auto'),
    params: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().default(42),
    positive_class: z.union([z.string(), z.number(), z.boolean()]).optional(),
    validation: z
      .object({
        test_fraction: z.number().gt(0).lt(1).default(0.25),
        seed: z.number().int().optional(),
        /** 'time' trains on earlier rows and tests on later ones, ordered by `order_by`. */
        method: z.enum(['random', 'time']).default('random'),
        order_by: z.string().optional(),
      })
      .strict()
      .default({ test_fraction: 0.25, method: 'random' }),
    /** algorithm 'auto': seconds to spend trying algorithms. */
    time_budget_s: z.number().positive().default(60),
    search: search.optional(),
    /** What serving does with imperfect request rows (see serving/input.ts); absent: reject them all. */
    serving: z
      .object({
        missing_fields: z.enum(['reject', 'impute']).default('reject'),
        unknown_fields: z.enum(['reject', 'ignore']).default('reject'),
        unseen_categories: z.enum(['reject', 'missing']).default('reject'),
      })
      .strict()
      .optional(),
    schedule: z.string().optional(),
  })
  .strict();

export type ModelSpec = z.output<typeof modelSpecSchema>;

/** Validates a parsed spec, with messages that name the field at fault. */
export function parseSpec(value: unknown, source = 'spec'): ModelSpec {
  const result = modelSpecSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new CairnError('INVALID_ARGUMENT', `${source} is not a valid model spec: ${problems.join('; ')}`);
  }
  const spec = result.data;
  if (spec.search !== undefined && spec.algorithm === 'auto') {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${source}: search needs a named algorithm (its parameters are searched), not 'auto'`,
    );
  }
  if (spec.validation.method === 'time' && !spec.validation.order_by) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${source}: validation.method 'time' needs validation.order_by (a column)`,
    );
  }
  return spec;
}

/** Reads a spec file; YAML is a superset of JSON, so one parser reads both. */
export function readSpecFile(file: string): ModelSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read spec file ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `spec file ${file} is not valid JSON or YAML: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  return parseSpec(value, `spec file ${file}`);
}

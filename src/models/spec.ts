import { readDocumentFile } from '../core/document-file.js';
import { z } from 'zod';
import { CairnError } from '../core/errors.js';

export const SUPERVISED_TASKS = ['binary', 'multiclass', 'regression'] as const;
export type SupervisedTask = (typeof SUPERVISED_TASKS)[number];

/** Tasks learnt without a target: segments, abnormal rows, filled gaps. */
export const UNSUPERVISED_TASKS = ['cluster', 'anomaly', 'impute'] as const;
export type UnsupervisedTask = (typeof UNSUPERVISED_TASKS)[number];

export const MODEL_TASKS = [...SUPERVISED_TASKS, ...UNSUPERVISED_TASKS] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export function isUnsupervised(task: string | undefined): task is UnsupervisedTask {
  return (UNSUPERVISED_TASKS as readonly string[]).includes(task ?? '');
}

/** The algorithms of each unsupervised task, by the names scripts rely on. */
export const UNSUPERVISED_ALGORITHMS: Readonly<Record<UnsupervisedTask, readonly string[]>> = {
  cluster: ['kmeans', 'minibatch_kmeans', 'dbscan', 'agglomerative', 'gmm', 'pca', 'tsne'],
  anomaly: ['isolation_forest', 'zscore', 'robust_zscore', 'iqr', 'lof', 'autoencoder'],
  impute: ['mean', 'median', 'mode', 'constant', 'knn', 'iterative'],
};

/** What algorithm 'auto' means for an unsupervised task. */
export const UNSUPERVISED_DEFAULT: Readonly<Record<UnsupervisedTask, string>> = {
  cluster: 'kmeans',
  anomaly: 'isolation_forest',
  impute: 'iterative',
};

const SUPERVISED_ALGORITHMS = [
  'auto',
  'gbdt',
  'random_forest',
  'decision_tree',
  'logistic',
  'linear',
] as const;
export const ALGORITHMS = [
  ...SUPERVISED_ALGORITHMS,
  ...UNSUPERVISED_ALGORITHMS.cluster,
  ...UNSUPERVISED_ALGORITHMS.anomaly,
  ...UNSUPERVISED_ALGORITHMS.impute,
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** The unsupervised task an algorithm belongs to, if it is one. */
export function unsupervisedTaskOf(algorithm: string): UnsupervisedTask | undefined {
  return UNSUPERVISED_TASKS.find((task) => UNSUPERVISED_ALGORITHMS[task].includes(algorithm));
}

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
    task: z
      .enum(MODEL_TASKS)
      .optional()
      .describe('Absent: inferred from an unsupervised algorithm, else from the target column'),
    algorithm: z.enum(ALGORITHMS).default('auto'),
    data,
    /** Supervised: the column to predict (required). cluster/anomaly: a label column to score against. */
    target: z.string().min(1).optional(),
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
  checkTask(spec, source);
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

/**
 * Settles the task against the algorithm and the target, in place: an unsupervised algorithm
 * names its task when the spec does not; a supervised task needs a target.
 */
function checkTask(spec: ModelSpec, source: string): void {
  const fail = (message: string) => {
    throw new CairnError('INVALID_ARGUMENT', `${source}: ${message}`);
  };
  const implied = unsupervisedTaskOf(spec.algorithm);
  if (spec.task === undefined && implied !== undefined) spec.task = implied;
  const task = spec.task;
  if (isUnsupervised(task)) {
    if (spec.algorithm !== 'auto' && implied !== task) {
      fail(
        `algorithm '${spec.algorithm}' does not do ${task}; use one of auto, ${UNSUPERVISED_ALGORITHMS[task].join(', ')}`,
      );
    }
    if (task === 'impute' && spec.target !== undefined) {
      fail(`task 'impute' fills every feature column and takes no target; remove target '${spec.target}'`);
    }
    if (spec.search !== undefined)
      fail(`search is for supervised models; task '${task}' has no score to tune on`);
    return;
  }
  if (implied !== undefined) {
    fail(`algorithm '${spec.algorithm}' is for task '${implied}', not '${task}'`);
  }
  if (spec.target === undefined) {
    fail(
      `target is required: name the column to predict (for a model without one, set task to ${UNSUPERVISED_TASKS.join(', ')})`,
    );
  }
}

/** A spec with its target checked present, as supervised training needs it. */
export function targetOf(spec: ModelSpec): string {
  if (spec.target === undefined) {
    throw new CairnError('INVALID_ARGUMENT', `model '${spec.name}' has no target column to predict`);
  }
  return spec.target;
}

/** Reads a spec file; YAML is a superset of JSON, so one parser reads both. */
export function readSpecFile(file: string): ModelSpec {
  const value = readDocumentFile(file, 'spec file');
  return parseSpec(value, `spec file ${file}`);
}

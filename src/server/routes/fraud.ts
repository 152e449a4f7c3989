import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CairnError } from '../../core/errors.js';
import { DECISIONS } from '../../solutions/fraud/decision.js';
import { ruleSetSchema } from '../../solutions/fraud/rules.js';
import type { FraudService } from '../../solutions/fraud/service.js';
import { parseTransactionBody, transactionSchema } from '../../solutions/fraud/transaction.js';
import { errorResponses } from '../errors.js';

const reason = z.object({
  type: z.enum(['rule', 'feature', 'fallback']),
  code: z.string().describe('Rule id, feature name, or "fallback"'),
  description: z.string(),
  confidence: z.number().optional().describe('Rules: 0–1'),
  value: z.number().nullable().optional().describe("Features: the transaction's value"),
  contribution: z.number().optional().describe("Features: TreeSHAP change in the GBDT's log-odds"),
});
const result = z.object({
  transaction_id: z.string(),
  decision: z.enum(DECISIONS),
  score: z.number().int().describe('Calibrated 0–100'),
  reasons: z.array(reason),
  method: z.enum(['rules', 'ensemble', 'fallback']),
  latency_ms: z.number(),
});
const ruleVersion = z.object({
  version: z.number(),
  rules: ruleSetSchema,
  comment: z.string(),
  createdAt: z.string(),
});
const review = z.object({
  transaction_id: z.string(),
  decision: z.string(),
  score: z.number(),
  reasons: z.unknown(),
  transaction: transactionSchema,
  status: z.enum(['open', 'labelled']),
  label: z.enum(['fraud', 'legit']).nullable(),
  analyst: z.string().nullable(),
  note: z.string().nullable(),
  created_at: z.string(),
  labelled_at: z.string().nullable(),
});

/** Fraud decisions, rules (versioned, changed without a restart) and the analysts' review queue. */
export const fraudRoutes: FastifyPluginCallbackZod<{ fraud: FraudService }> = (app, { fraud }, done) => {
  app.post(
    '/v1/fraud/score',
    {
      config: { access: 'models:predict' },
      schema: {
        summary: 'Decide one transaction: APPROVE, REVIEW (verify), STEP_UP or BLOCK, with reasons',
        tags: ['fraud'],
        body: transactionSchema,
        response: { 200: result, ...errorResponses },
      },
      // The schemas above document the route; the scorer's hot path checks the body as the stream
      // does and sends its typed result as is, since zod's generic walks cost more than the decision.
      validatorCompiler: () => (body) => {
        const parsed = parseTransactionBody(body, 'body');
        return typeof parsed === 'string'
          ? { error: new CairnError('INVALID_ARGUMENT', parsed) }
          : { value: parsed };
      },
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    (request) => fraud.score(request.body),
  );
  app.get(
    '/v1/fraud/rules',
    {
      config: { access: 'models:read' },
      schema: {
        summary: 'The rules in force, with their YAML/JSON source',
        tags: ['fraud'],
        response: { 200: ruleVersion.extend({ source: z.string() }), ...errorResponses },
      },
    },
    () => fraud.ruleVersion,
  );
  app.put(
    '/v1/fraud/rules',
    {
      config: { access: 'models:promote' },
      schema: {
        summary: 'Replace the rules (stored as a new version; in force from the next transaction)',
        tags: ['fraud'],
        body: z.object({
          source: z.string().min(1).describe('The rule set as YAML or JSON text'),
          comment: z.string().max(1000).default(''),
        }),
        response: { 200: ruleVersion, ...errorResponses },
      },
    },
    async (request) => {
      const { version, rules, comment, createdAt } = await fraud.saveRules(
        request.body.source,
        request.body.comment,
      );
      return { version, rules, comment, createdAt };
    },
  );
  app.get(
    '/v1/fraud/rules/versions',
    {
      config: { access: 'models:read' },
      schema: {
        summary: 'Every version of the rules, newest first',
        tags: ['fraud'],
        response: { 200: z.object({ versions: z.array(ruleVersion) }), ...errorResponses },
      },
    },
    async () => ({ versions: await fraud.ruleVersions() }),
  );
  app.get(
    '/v1/fraud/reviews',
    {
      config: { access: 'data:read' },
      schema: {
        summary: 'The review queue: REVIEW and BLOCK decisions, newest first',
        tags: ['fraud'],
        querystring: z.object({
          status: z.enum(['open', 'labelled']).optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(100),
        }),
        response: { 200: z.object({ reviews: z.array(review) }), ...errorResponses },
      },
    },
    async (request) => ({ reviews: await fraud.reviews(request.query.status, request.query.limit) }),
  );
  app.post(
    '/v1/fraud/reviews/:transaction_id/label',
    {
      config: { access: 'models:predict' },
      schema: {
        summary: "An analyst's verdict on a queued transaction; feeds the merchant and device fraud rates",
        tags: ['fraud'],
        params: z.object({ transaction_id: z.string().min(1).max(200) }),
        body: z.object({
          label: z.enum(['fraud', 'legit']),
          analyst: z.string().min(1).max(200),
          note: z.string().max(2000).default(''),
        }),
        response: { 200: review, ...errorResponses },
      },
    },
    (request) =>
      fraud.label(request.params.transaction_id, request.body.label, request.body.analyst, request.body.note),
  );
  app.get(
    '/v1/fraud/status',
    {
      config: { access: 'models:read' },
      schema: {
        summary: 'The model and rule versions in force',
        tags: ['fraud'],
        response: {
          200: z.object({ model_version: z.number().nullable(), rule_version: z.number() }),
          ...errorResponses,
        },
      },
    },
    () => ({ model_version: fraud.model?.version ?? null, rule_version: fraud.ruleVersion.version }),
  );
  app.post(
    '/v1/fraud/model/reload',
    {
      config: { access: 'models:promote' },
      schema: {
        summary: 'Serve the newest trained fraud model (after `cairn solutions train fraud`)',
        tags: ['fraud'],
        response: { 200: z.object({ model_version: z.number().nullable() }), ...errorResponses },
      },
    },
    async () => ({ model_version: (await fraud.reloadModel())?.version ?? null }),
  );
  done();
};

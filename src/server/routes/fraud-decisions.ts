import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../warehouse/database.js';
import { recentDecisions } from '../../solutions/fraud/recent-decisions.js';
import type { FraudService } from '../../solutions/fraud/service.js';
import { errorResponses } from '../errors.js';

const decision = z.object({
  transaction_id: z.string(),
  user_id: z.string(),
  amount: z.number(),
  currency: z.string(),
  merchant_id: z.string(),
  decision: z.string(),
  score: z.number(),
  method: z.string(),
  reasons: z.unknown(),
  latency_ms: z.number(),
  decided_at: z.string(),
});

/** The newest fraud decisions from the decision log, for the dashboard's live view (it polls). */
export const fraudDecisionRoutes: FastifyPluginCallbackZod<{ fraud: FraudService; db: Database }> = (
  app,
  { fraud, db },
  done,
) => {
  app.get(
    '/v1/fraud/decisions',
    {
      schema: {
        summary: 'The newest fraud decisions, newest first, and the count of each decision so far',
        tags: ['fraud'],
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: {
          200: z.object({ decisions: z.array(decision), counts: z.record(z.string(), z.number()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      // Decisions are buffered for a moment; write them first so the view is up to date.
      await fraud.flush();
      return recentDecisions(db, request.query.limit);
    },
  );
  done();
};

import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JOB_STATUSES } from '../../jobs/job.js';
import { listVersions, type Stage } from '../../models/registry.js';
import type { Platform } from '../../platform.js';
import { ensureQualityTables, QUALITY_TABLES } from '../../quality/store.js';
import { ALERT_JOB } from '../../serving/alerts.js';
import { listTables } from '../../warehouse/catalog.js';
import { asText } from '../../warehouse/values.js';

const RECENT = 8;

// Read by the authentication hook (server/access.ts): names, metrics and statuses, no rows.
const access = { access: 'tables:read' } as const;

const overviewResponse = z.object({
  tables: z.array(z.object({ name: z.string(), rows: z.number() })),
  models: z.array(
    z.object({
      name: z.string(),
      task: z.string(),
      versions: z.number(),
      latest: z.number(),
      production: z.number().nullable(),
      staging: z.number().nullable(),
      metrics: z.record(z.string(), z.unknown()).describe('The production (else latest) version’s'),
    }),
  ),
  jobs: z.object({
    counts: z.record(z.string(), z.number()).describe('Jobs by status among the most recent 1,000'),
    recent: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        status: z.enum(JOB_STATUSES),
        progress: z.number(),
        createdAt: z.string(),
      }),
    ),
  }),
  alerts: z.array(z.object({ id: z.string(), message: z.string(), at: z.string() })),
  qualityFailures: z.array(
    z.object({ table: z.string(), run_id: z.string(), checked_at: z.string(), trigger: z.string() }),
  ),
});

/** One request's worth of what the dashboard's front page shows: tables, models, jobs, alerts, failures. */
export const overviewRoutes: FastifyPluginCallbackZod<{ platform: Platform }> = (app, { platform }, done) => {
  const { db } = platform;
  const { queue } = platform.jobs;
  app.get(
    '/v1/overview',
    {
      config: access,
      schema: {
        summary:
          'A summary of the workspace: tables, models by stage, jobs, alerts and failed quality checks',
        tags: ['system'],
        response: { 200: overviewResponse },
      },
    },
    async () => {
      const versions = await listVersions(db);
      const byName = new Map<string, typeof versions>();
      for (const v of versions) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
      const models = [...byName].map(([name, list]) => {
        const latest = list.reduce((a, b) => (b.version > a.version ? b : a));
        const at = (stage: Stage) => list.find((v) => v.stage === stage)?.version ?? null;
        const production = at('production');
        const shown = list.find((v) => v.version === production) ?? latest;
        return {
          name,
          task: latest.task,
          versions: list.length,
          latest: latest.version,
          production,
          staging: at('staging'),
          metrics: shown.metrics,
        };
      });
      const jobs = await queue.list({ limit: 1000 });
      const counts: Record<string, number> = {};
      for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
      const alerts = await queue.list({ kind: ALERT_JOB, limit: RECENT });
      await ensureQualityTables(db);
      const failures = await db.rows(
        `SELECT table_name, id AS run_id, CAST(run_at AS VARCHAR) AS checked_at, trigger FROM ${QUALITY_TABLES.runs}
         WHERE NOT passed ORDER BY run_at DESC LIMIT ${RECENT}`,
      );
      return {
        tables: await listTables(db),
        models,
        jobs: {
          counts,
          recent: jobs.slice(0, RECENT).map(({ id, kind, status, progress, createdAt }) => ({
            id,
            kind,
            status,
            progress,
            createdAt,
          })),
        },
        alerts: alerts.map((a) => ({
          id: a.id,
          message: (a.payload as { message?: string }).message ?? a.error ?? '',
          at: a.createdAt,
        })),
        qualityFailures: failures.map((r) => ({
          table: asText(r.table_name),
          run_id: asText(r.run_id),
          checked_at: asText(r.checked_at),
          trigger: asText(r.trigger),
        })),
      };
    },
  );
  done();
};

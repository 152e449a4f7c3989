import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { dedupTable, SURVIVORSHIP } from '../../quality/dedup/dedup.js';
import { compareProfiles } from '../../quality/profile/compare.js';
import { maskProfile } from '../../quality/profile/mask.js';
import { listProfiles, loadProfile, saveProfile } from '../../quality/profile/history.js';
import { profileTable } from '../../quality/profile/profile.js';
import { renderHtmlReport } from '../../quality/report/html.js';
import { buildQualityReport } from '../../quality/report/report.js';
import { listRuns, TRIGGERS } from '../../quality/rules/history.js';
import { maskCheckReport } from '../../quality/rules/mask.js';
import {
  deleteRuleSet,
  INGEST_POLICIES,
  requireRuleSet,
  saveRuleSet,
} from '../../quality/rules/ruleset-store.js';
import { checkTable } from '../../quality/rules/run.js';
import { runDueChecks } from '../../quality/rules/schedule.js';
import { ruleSchema, ruleSetSchema, SEVERITIES } from '../../quality/rules/spec.js';
import { suggestRules } from '../../quality/rules/suggest.js';
import { hiddenColumnRead } from '../../security/rule-guard.js';
import { can } from '../../security/roles.js';
import { CairnError } from '../../core/errors.js';
import { describeTable, requireTable } from '../../warehouse/catalog.js';
import { callerOf } from '../caller.js';
import { errorResponses } from '../errors.js';

const params = z.object({ name: z.string().min(1).max(120).describe('Table name') });
const row = z.record(z.string(), z.unknown());

const columnProfile = z.object({
  name: z.string(),
  type: z.string(),
  kind: z.string(),
  nulls: z.number(),
  null_rate: z.number(),
  distinct: z.number(),
  approximate: z.boolean(),
  min: z.unknown(),
  max: z.unknown(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  quantiles: z
    .object({ p05: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number() })
    .nullable(),
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).nullable(),
  top: z.array(z.object({ value: z.unknown(), count: z.number() })),
  length: z.object({ min: z.number(), mean: z.number(), max: z.number() }).nullable(),
  semantic: z.string().nullable(),
  semantic_share: z.number().nullable(),
});
const profileBody = z.object({
  id: z.string(),
  table: z.string(),
  rows: z.number(),
  profiled_at: z.string(),
  seconds: z.number(),
  columns: z.array(columnProfile),
  correlation: z.object({ columns: z.array(z.string()), matrix: z.array(z.array(z.number().nullable())) }),
});

const ruleResult = z.object({
  check: z.string(),
  column: z.string().optional(),
  columns: z.array(z.string()).optional(),
  severity: z.enum(SEVERITIES),
  passed: z.boolean(),
  failing: z.number(),
  sample: z.array(row),
  name: z.string().optional(),
  observed: z.unknown().optional(),
  message: z.string(),
});
const anomaly = z.object({
  metric: z.string(),
  column: z.string().optional(),
  value: z.number(),
  median: z.number(),
  z: z.number(),
  message: z.string(),
});
const checkBody = z.object({
  table: z.string(),
  passed: z.boolean(),
  results: z.array(ruleResult),
  anomalies: z.array(anomaly),
  rows: z.number(),
  run_id: z.string(),
  checked_at: z.string(),
});
const storedRules = z.object({
  table: z.string(),
  policy: z.enum(INGEST_POLICIES),
  schedule: z.string().nullable(),
  rules: z.array(z.record(z.string(), z.unknown())),
  updated_at: z.string(),
  next_run: z.string().nullable(),
});
const dedupBody = z.object({
  key: z.array(z.string()).optional().describe('Duplicates share these columns'),
  fuzzy: z.array(z.string()).optional().describe('Duplicates are similar in these text columns'),
  threshold: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe('Fuzzy: smallest similarity that matches (default 0.95)'),
  keep: z.enum(SURVIVORSHIP).default('first'),
  order_by: z.string().optional().describe('Column dating each row, for keep = newest'),
  output: z.string().optional().describe('Write the deduplicated rows to this table'),
  limit: z.number().int().min(0).max(1000).default(20),
});
const dedupReport = z.object({
  table: z.string(),
  mode: z.string(),
  columns: z.array(z.string()),
  rows: z.number(),
  clusters: z.number(),
  duplicates: z.number(),
  keep: z.string(),
  comparisons: z.number().optional(),
  sample: z.array(
    z.object({
      cluster: z.number(),
      size: z.number(),
      score: z.number(),
      min_score: z.number(),
      keep: z.number(),
      rows: z.array(row),
    }),
  ),
  output: z.object({ table: z.string(), rows: z.number() }).nullable(),
  seconds: z.number(),
});

const checkJson = (report: z.infer<typeof checkBody>) => ({
  table: report.table,
  passed: report.passed,
  results: report.results,
  anomalies: report.anomalies,
  rows: report.rows,
  run_id: report.run_id,
  checked_at: report.checked_at,
});

/**
 * Data-quality routes: profiles, rule checks and their history, saved rules, suggestions, dedup,
 * reports. Every value they return passes through the caller's view of the table (masks, sealed
 * columns, grants), and rules a caller writes may not read what the caller may not see.
 */
export const qualityRoutes: FastifyPluginAsyncZod<{ platform: Platform }> = (app, { platform }) => {
  const { db, security } = platform;
  const tags = ['quality'];

  app.get(
    '/v1/tables/:name/profile',
    {
      schema: {
        summary:
          'Profile a table: per-column nulls, distinct, range, quantiles, histogram, top values, semantic type; correlations',
        tags,
        params,
        querystring: z.object({
          save: z.enum(['true', 'false']).default('true').describe('Keep the profile in the history'),
          exact: z
            .enum(['true', 'false'])
            .optional()
            .describe('Exact distinct counts and quantiles on large tables'),
        }),
        response: { 200: profileBody, ...errorResponses },
      },
    },
    async (request) => {
      const profile = await profileTable(db, request.params.name, {
        exact: request.query.exact === undefined ? undefined : request.query.exact === 'true',
      });
      if (request.query.save === 'true') await saveProfile(db, profile);
      return maskProfile(profile, await security.readerView(callerOf(request), request.params.name));
    },
  );

  app.get(
    '/v1/tables/:name/profiles',
    {
      schema: {
        summary: 'The stored profiles of a table, newest first',
        tags,
        params,
        response: {
          200: z.object({
            table: z.string(),
            profiles: z.array(
              z.object({ id: z.string(), table: z.string(), profiled_at: z.string(), rows: z.number() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await requireTable(db, request.params.name);
      return { table: request.params.name, profiles: await listProfiles(db, request.params.name) };
    },
  );

  const change = z.object({ before: z.number().nullable(), after: z.number().nullable() });
  app.get(
    '/v1/tables/:name/profile/compare',
    {
      schema: {
        summary: 'Profile the table now and compare it with a stored profile (default the newest)',
        tags,
        params,
        querystring: z.object({
          with: z.string().default('latest').describe('Stored profile id, or latest'),
        }),
        response: {
          200: z.object({
            table: z.string(),
            before: z.object({ id: z.string(), profiled_at: z.string(), rows: z.number() }),
            after: z.object({ id: z.string(), profiled_at: z.string(), rows: z.number() }),
            columns: z.array(
              z.object({
                name: z.string(),
                status: z.enum(['added', 'removed', 'retyped', 'same type']),
                type: z.object({ before: z.string().nullable(), after: z.string().nullable() }),
                null_rate: change,
                distinct: change,
                mean: change,
                top_psi: z.number().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const view = await security.readerView(callerOf(request), request.params.name);
      const earlier = await loadProfile(db, request.params.name, request.query.with);
      return compareProfiles(
        maskProfile(earlier, view),
        maskProfile(await profileTable(db, request.params.name), view),
      );
    },
  );

  app.post(
    '/v1/tables/:name/check',
    {
      schema: {
        summary: 'Check a table against the rules in the body, or its saved rules when the body has none',
        description:
          'The response holds one result per rule, in order; `passed` is false when any error rule fails.',
        tags,
        params,
        body: z.object({ rules: z.array(ruleSchema).optional() }).nullish(),
        querystring: z.object({
          record: z.enum(['true', 'false']).default('true').describe('Keep the run in the history'),
        }),
        response: { 200: checkBody, ...errorResponses },
      },
    },
    async (request) => {
      const rules = request.body?.rules;
      const caller = callerOf(request);
      if (rules) await security.guardRules(caller, request.params.name, rules);
      const report = await checkTable(db, request.params.name, {
        rules: rules ? { rules } : undefined,
        record: request.query.record === 'true',
      });
      return checkJson(maskCheckReport(report, await security.readerView(caller, request.params.name)));
    },
  );

  app.get(
    '/v1/tables/:name/checks',
    {
      schema: {
        summary: 'The check history of a table (manual, ingest and scheduled runs), newest first',
        tags,
        params,
        response: {
          200: z.object({
            table: z.string(),
            runs: z.array(
              z.object({
                run_id: z.string(),
                table: z.string(),
                trigger: z.enum(TRIGGERS),
                checked_at: z.string(),
                passed: z.boolean(),
                rows: z.number(),
                failed_rules: z.number(),
                anomalies: z.number(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await requireTable(db, request.params.name);
      return { table: request.params.name, runs: await listRuns(db, request.params.name) };
    },
  );

  app.get(
    '/v1/tables/:name/rules',
    {
      schema: {
        summary: 'The saved rules of a table',
        tags,
        params,
        response: { 200: storedRules, ...errorResponses },
      },
    },
    async (request) => requireRuleSet(db, request.params.name),
  );

  app.put(
    '/v1/tables/:name/rules',
    {
      schema: {
        summary:
          'Save the rules of a table, with its ingest policy (block | quarantine | off) and cron schedule',
        tags,
        params,
        body: ruleSetSchema,
        response: { 200: storedRules, ...errorResponses },
      },
    },
    async (request) => {
      await requireTable(db, request.params.name);
      await security.guardRules(callerOf(request), request.params.name, request.body.rules);
      return saveRuleSet(db, request.params.name, request.body);
    },
  );

  app.delete(
    '/v1/tables/:name/rules',
    {
      schema: {
        summary: 'Delete the saved rules of a table (its check history stays)',
        tags,
        params,
        response: { 200: z.object({ table: z.string(), removed: z.boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      await deleteRuleSet(db, request.params.name);
      return { table: request.params.name, removed: true };
    },
  );

  app.get(
    '/v1/tables/:name/rules/suggest',
    {
      schema: {
        summary: 'Propose rules from a fresh profile of the table (nothing is saved)',
        tags,
        params,
        response: {
          200: z.object({ table: z.string().optional(), rules: z.array(z.record(z.string(), z.unknown())) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const view = await security.readerView(callerOf(request), request.params.name);
      const suggested = await suggestRules(
        db,
        maskProfile(await profileTable(db, request.params.name), view),
      );
      return { ...suggested, rules: suggested.rules.filter((r) => !hiddenColumnRead(r, view)) };
    },
  );

  app.post(
    '/v1/quality/run-due',
    {
      schema: {
        summary: 'Run every saved rule set whose cron schedule is due (what a scheduler calls each minute)',
        tags,
        response: {
          200: z.object({
            runs: z.array(
              z.object({
                table: z.string(),
                due: z.string(),
                report: checkBody.optional(),
                error: z.string().optional(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const runs = [];
      for (const run of await runDueChecks(db)) {
        if (!run.report) {
          runs.push(run);
          continue;
        }
        const view = await security.readerView(caller, run.table).catch(() => null);
        runs.push(
          view
            ? { ...run, report: checkJson(maskCheckReport(run.report, view)) }
            : {
                table: run.table,
                due: run.due,
                error: `checked; role '${caller.role}' may not read its results`,
              },
        );
      }
      return { runs };
    },
  );

  app.post(
    '/v1/tables/:name/dedup',
    {
      schema: {
        summary:
          'Find duplicate rows (exact, by key, or fuzzy) as clusters; optionally write a deduplicated table',
        tags,
        params,
        body: dedupBody,
        response: { 200: dedupReport, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const caller = callerOf(request);
      const view = await security.readerView(caller, request.params.name);
      // The output is a clear copy of the rows: only for roles that may write and see them all.
      if (body.output !== undefined) {
        const hidden = (await describeTable(db, request.params.name)).columns.find((c) => view.hides(c.name));
        if (!can(caller.role, 'data:write') || hidden)
          throw new CairnError(
            'FORBIDDEN',
            `role '${caller.role}' may not write a deduplicated copy of '${request.params.name}'${hidden ? ` (column '${hidden.name}' is masked for it)` : ''}; it needs 'data:write' and a clear view of every column`,
          );
      }
      const report = await dedupTable(db, {
        table: request.params.name,
        key: body.key,
        fuzzy: body.fuzzy,
        threshold: body.threshold,
        keep: body.keep,
        orderBy: body.order_by,
        output: body.output,
        limit: body.limit,
      });
      return { ...report, sample: report.sample.map((c) => ({ ...c, rows: view.rows(c.rows) })) };
    },
  );

  app.get(
    '/v1/tables/:name/report',
    {
      schema: {
        summary:
          'A data-quality report (fresh profile + saved rules): self-contained HTML, or JSON with ?format=json',
        tags,
        params,
        querystring: z.object({ format: z.enum(['html', 'json']).default('html') }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const view = await security.readerView(callerOf(request), request.params.name);
      const built = await buildQualityReport(db, request.params.name);
      const report = {
        ...built,
        profile: maskProfile(built.profile, view),
        check: built.check && maskCheckReport(built.check, view),
      };
      if (request.query.format === 'json') return report;
      return reply.type('text/html; charset=utf-8').send(renderHtmlReport(report));
    },
  );
  return Promise.resolve();
};

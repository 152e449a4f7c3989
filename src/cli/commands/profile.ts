import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { compareProfiles, type ProfileComparison } from '../../quality/profile/compare.js';
import { listProfiles, loadProfile, saveProfile } from '../../quality/profile/history.js';
import { profileTable } from '../../quality/profile/profile.js';
import type { ColumnProfile } from '../../quality/profile/types.js';
import { asText } from '../../warehouse/values.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

const short = (v: unknown) =>
  typeof v === 'number' ? (Number.isInteger(v) ? v : Number(v.toPrecision(6))) : v;

function summaryRow(c: ColumnProfile) {
  return {
    name: c.name,
    type: c.type,
    null_rate: `${(100 * c.null_rate).toFixed(2)} %`,
    distinct: c.distinct,
    min: short(c.min),
    max: short(c.max),
    mean: short(c.mean),
    semantic: c.semantic ?? '',
    top: c.top
      .slice(0, 3)
      .map((t) => asText(t.value))
      .join(', '),
  };
}

function printComparison(comparison: ProfileComparison, json: boolean): void {
  if (json) {
    printJson(comparison);
    return;
  }
  const { before, after } = comparison;
  printLine(
    `${comparison.table}: ${before.rows.toLocaleString('en')} rows (${before.profiled_at}) → ${after.rows.toLocaleString('en')} rows now`,
  );
  const pct = (v: number | null) => (v === null ? '' : `${(100 * v).toFixed(2)} %`);
  printLine(
    formatTable(
      ['name', 'status', 'null_rate', 'distinct', 'mean', 'top_psi'],
      comparison.columns.map((c) => ({
        name: c.name,
        status: c.status,
        null_rate: `${pct(c.null_rate.before)} → ${pct(c.null_rate.after)}`,
        distinct: `${c.distinct.before ?? ''} → ${c.distinct.after ?? ''}`,
        mean:
          c.mean.before === null && c.mean.after === null
            ? ''
            : `${String(short(c.mean.before))} → ${String(short(c.mean.after))}`,
        top_psi: c.top_psi === null ? '' : Number(c.top_psi.toFixed(4)),
      })),
    ),
  );
}

export function profileCommand(): Command {
  return new Command('profile')
    .description(
      "profile a table's columns (nulls, distinct, range, quantiles, histograms, semantic types, correlations)",
    )
    .argument('<table>', 'table name')
    .option('--no-save', 'do not keep this profile in the history')
    .option('--history', 'list the stored profiles instead of profiling')
    .option('--exact', 'exact distinct counts and quantiles even on large tables')
    .option(
      '--compare [id]',
      'compare with a stored profile (default: the newest) instead of printing the profile',
    )
    .option(
      '--json',
      'print {"table","rows","columns":[{"name","type","nulls","null_rate","distinct","min","max","mean",…}],"correlation"}',
    )
    .action(
      async (
        table: string,
        options: { save: boolean; history?: boolean; exact?: boolean; compare?: string | boolean },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          if (options.history) {
            const profiles = await listProfiles(platform.db, table);
            if (globals.json) printJson({ table, profiles });
            else printLine(formatTable(['id', 'profiled_at', 'rows'], profiles));
            return;
          }
          const profile = await profileTable(platform.db, table, { exact: options.exact ? true : undefined });
          if (options.compare) {
            const earlier = await loadProfile(
              platform.db,
              table,
              options.compare === true ? 'latest' : options.compare,
            );
            if (options.save) await saveProfile(platform.db, profile);
            printComparison(compareProfiles(earlier, profile), globals.json === true);
            return;
          }
          if (options.save) await saveProfile(platform.db, profile);
          if (globals.json) {
            printJson(profile);
            return;
          }
          printLine(
            `${table}: ${profile.rows.toLocaleString('en')} rows, profiled in ${profile.seconds.toFixed(2)} s`,
          );
          printLine(
            formatTable(
              ['name', 'type', 'null_rate', 'distinct', 'min', 'max', 'mean', 'semantic', 'top'],
              profile.columns.map(summaryRow),
            ),
          );
        });
      },
    );
}

export function reportCommand(): Command {
  return new Command('report')
    .description('write a data-quality report (profile + rules) as self-contained HTML or JSON')
    .argument('<table>', 'table name')
    .requiredOption('-o, --out <file>', 'file to write (.html or .json)')
    .option('--rules <file>', 'rules file to check (default: the saved rules, if any)')
    .option('--json', 'print {"table","out","passed"} when done')
    .action(async (table: string, options: { out: string; rules?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const { buildQualityReport } = await import('../../quality/report/report.js');
        const { readRuleSetFile } = await import('../../quality/rules/spec.js');
        const report = await buildQualityReport(
          platform.db,
          table,
          options.rules ? readRuleSetFile(options.rules) : undefined,
        );
        if (options.out.toLowerCase().endsWith('.json'))
          writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
        else {
          const { renderHtmlReport } = await import('../../quality/report/html.js');
          writeFileSync(options.out, renderHtmlReport(report));
        }
        const passed = report.check ? report.check.passed : null;
        if (globals.json) printJson({ table, out: options.out, passed });
        else
          printLine(
            `wrote ${options.out}${passed === null ? '' : passed ? ' (rules passed)' : ' (rules failed)'}`,
          );
      });
    });
}

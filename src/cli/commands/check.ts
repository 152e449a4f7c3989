import { Command } from 'commander';
import type { CheckReport } from '../../quality/rules/history.js';
import { listRuns } from '../../quality/rules/history.js';
import { checkTable } from '../../quality/rules/run.js';
import { readRuleSetFile } from '../../quality/rules/spec.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

/** The `cairn check --json` contract: table, passed and results first, then the run's bookkeeping. */
export function checkJson(report: CheckReport) {
  return {
    table: report.table,
    passed: report.passed,
    results: report.results,
    anomalies: report.anomalies,
    rows: report.rows,
    run_id: report.run_id,
    checked_at: report.checked_at,
  };
}

export function checkCommand(): Command {
  return new Command('check')
    .description(
      'check a table against rules (a YAML/JSON file, or its saved rules); exit code 3 when an error rule fails',
    )
    .argument('<table>', 'table name')
    .option('-r, --rules <file>', 'rules file (default: the rules saved with `cairn rules save`)')
    .option('--history', 'list earlier check runs instead of checking')
    .option('--no-record', 'do not keep this run in the history')
    .option(
      '--json',
      'print {"table","passed","results":[{"check","column"|"columns","severity","passed","failing","sample"}],…}',
    )
    .action(
      async (
        table: string,
        options: { rules?: string; history?: boolean; record: boolean },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          if (options.history) {
            const runs = await listRuns(platform.db, table);
            if (globals.json) printJson({ table, runs });
            else
              printLine(
                formatTable(['checked_at', 'trigger', 'passed', 'rows', 'failed_rules', 'anomalies'], runs),
              );
            return;
          }
          const rules = options.rules ? readRuleSetFile(options.rules) : undefined;
          const report = await checkTable(platform.db, table, { rules, record: options.record });
          if (!report.passed) process.exitCode = 3;
          if (globals.json) {
            printJson(checkJson(report));
            return;
          }
          printLine(
            formatTable(
              ['status', 'check', 'column', 'severity', 'failing', 'message'],
              report.results.map((r) => ({
                status: r.passed ? 'pass' : r.severity === 'warn' ? 'WARN' : 'FAIL',
                check: r.name ?? r.check,
                column: r.column ?? r.columns?.join(', ') ?? '',
                severity: r.severity,
                failing: r.failing,
                message: r.message,
              })),
            ),
          );
          for (const anomaly of report.anomalies) printLine(`anomaly: ${anomaly.message}`);
          printLine(
            `${table}: ${report.passed ? 'passed' : 'FAILED'} (${report.rows.toLocaleString('en')} rows, ${report.seconds.toFixed(2)} s)`,
          );
        });
      },
    );
}

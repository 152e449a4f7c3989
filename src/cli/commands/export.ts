import { Command } from 'commander';
import { exportTable } from '../../warehouse/export.js';
import { withPlatform } from '../context.js';
import { printJson, printLine } from '../output.js';

export function exportCommand(): Command {
  return new Command('export')
    .description(
      'write a table to a CSV, JSON, NDJSON or Parquet file (format from the name; .gz compresses)',
    )
    .argument('<table>', 'table name')
    .requiredOption('--to <file>', 'output file, e.g. out.csv, out.json, out.ndjson, out.parquet, out.csv.gz')
    .option('--json', 'print {"table","file","format","rows"}')
    .action(async (table: string, options: { to: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const report = await exportTable(platform.db, table, options.to);
        if (globals.json) printJson(report);
        else printLine(`${report.table}: ${report.rows.toLocaleString('en')} rows written to ${report.file}`);
      });
    });
}

import { Command, Option } from 'commander';
import { runQuery } from '../../warehouse/query.js';
import { withPlatform } from '../context.js';
import { formatCsv, formatTable, printJson, printLine } from '../output.js';

const TERMINAL_LIMIT = 100;

export function queryCommand(): Command {
  return new Command('query')
    .description('run SQL against the warehouse (read-only unless --write)')
    .argument('<sql>', 'SQL statement(s); the last one’s rows are printed')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'),
    )
    .option(
      '--limit <rows>',
      `most rows to print (default: ${TERMINAL_LIMIT} as a table, all as json/csv)`,
      Number,
    )
    .option('--write', 'allow statements that change data or schema')
    .option('--json', 'print {"columns":[…],"types":[…],"rows":[{…}],"truncated"} (same as --format json)')
    .action(
      async (sql: string, options: { format: string; limit?: number; write?: boolean }, command: Command) => {
        await withPlatform(command, async (platform, globals) => {
          const format = globals.json ? 'json' : options.format;
          const limit = options.limit ?? (format === 'table' ? TERMINAL_LIMIT : undefined);
          const result = await runQuery(platform.db, sql, { limit, write: options.write });
          if (format === 'json') printJson(result);
          else if (format === 'csv') printLine(formatCsv(result.columns, result.rows));
          else {
            printLine(formatTable(result.columns, result.rows));
            const more = result.truncated ? ` (more rows exist; raise --limit or use --format csv)` : '';
            printLine(
              `${result.rows.length.toLocaleString('en')} row${result.rows.length === 1 ? '' : 's'}${more}`,
            );
          }
        });
      },
    );
}

import { Command } from 'commander';
import { dropTableChecked } from '../../models/lineage.js';
import { describeTable, listTables } from '../../warehouse/catalog.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine, printWarning } from '../output.js';

export function tablesCommand(): Command {
  return new Command('tables')
    .description('list the warehouse tables and their row counts')
    .option('--json', 'print {"tables":[{"name","rows"}]}')
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const tables = await listTables(platform.db);
        if (globals.json) printJson({ tables });
        else if (tables.length === 0)
          printLine('no tables yet; load one with: cairn ingest FILE --table NAME');
        else printLine(formatTable(['name', 'rows'], tables));
      });
    });
}

export function schemaCommand(): Command {
  return new Command('schema')
    .description("show a table's columns, types and row count")
    .argument('<table>', 'table name')
    .option('--json', 'print {"name","rows","columns":[{"name","type","nullable"}]}')
    .action(async (table: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const schema = await describeTable(platform.db, table);
        if (globals.json) {
          printJson(schema);
          return;
        }
        printLine(`${schema.name}: ${schema.rows.toLocaleString('en')} rows`);
        printLine(formatTable(['name', 'type', 'nullable'], schema.columns));
      });
    });
}

export function dropCommand(): Command {
  return new Command('drop')
    .description('drop a table (refused when production models were trained on it, unless --force)')
    .argument('<table>', 'table name')
    .option('--force', 'drop it even so, printing which models it trained')
    .option('--json', 'print {"table","dropped","warnings":[…]}')
    .action(async (table: string, options: { force?: boolean }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const report = await dropTableChecked(platform.db, table, options.force === true);
        if (globals.json) {
          printJson(report);
          return;
        }
        for (const warning of report.warnings) printWarning(warning);
        printLine(`dropped table ${table}`);
      });
    });
}

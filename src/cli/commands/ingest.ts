import { Command, Option } from 'commander';
import { ingest } from '../../warehouse/ingest/ingest.js';
import { ingestRequestFields, type IngestOptions } from '../../warehouse/ingest/options.js';
import { INGEST_FORMATS, INGEST_MODES } from '../../warehouse/ingest/types.js';
import { withPlatform } from '../context.js';
import { printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('load a file (CSV/TSV, JSON, NDJSON, Parquet; gzip too) or a database query into a table')
    .argument('<source>', 'a file path, or a postgres:// or mysql:// URL')
    .requiredOption('-t, --table <name>', 'target table')
    .addOption(
      new Option('-f, --format <format>', 'source format (default: from the file name)').choices(
        INGEST_FORMATS,
      ),
    )
    .addOption(
      new Option('-m, --mode <mode>', 'replace the table, append to it, or upsert by key')
        .choices(INGEST_MODES)
        .default('replace'),
    )
    .option('-k, --key <columns>', 'key column(s) for upsert, comma-separated')
    .option('--types <overrides>', 'column types, e.g. age=INTEGER,joined=DATE')
    .option('--schema <file>', 'JSON/YAML file with "columns" (name: TYPE) and CSV settings')
    .option('--delimiter <char>', 'CSV field delimiter (\\t for tab)')
    .option('--quote <char>', 'CSV quote character')
    .option('--escape <char>', 'CSV escape character')
    .option('--no-header', 'the CSV file has no header row')
    .option('--skip <n>', 'lines to skip at the top of a CSV file', Number)
    .option('--null <string>', 'a string read as NULL (repeatable)', collect)
    .option('--date-format <format>', 'strptime format of CSV dates, e.g. %d/%m/%Y')
    .option('--timestamp-format <format>', 'strptime format of CSV timestamps')
    .option('-q, --query <sql>', 'database sources: the SELECT to read')
    .option('--source-table <name>', 'database sources: the [schema.]table to read whole')
    .option('--batch-size <rows>', 'database sources: rows per round trip', Number, 10_000)
    .option('--json', 'print {"table","read","accepted","quarantined",…} as JSON')
    .action(
      async (
        source: string,
        options: IngestOptions & { table: string; header: boolean },
        command: Command,
      ) => {
        // commander sets header=true unless --no-header is given; only an explicit "no" overrides detection.
        const header = command.getOptionValueSource('header') === 'cli' ? options.header : undefined;
        await withPlatform(command, async (platform, globals) => {
          const progress = createProgress(
            `ingest ${options.table}`,
            !globals.json && process.stderr.isTTY === true,
          );
          try {
            const report = await ingest(platform.db, {
              ...ingestRequestFields({ ...options, header }),
              source,
              table: options.table,
              onProgress: (p) => progress.update(p),
            });
            progress.stop();
            if (globals.json) {
              printJson(report);
              return;
            }
            printLine(
              `${report.table}: read ${report.read.toLocaleString('en')}, accepted ${report.accepted.toLocaleString('en')}, ` +
                `quarantined ${report.quarantined.toLocaleString('en')} (${report.seconds.toFixed(2)} s)`,
            );
            if (report.quarantineTable) {
              printLine(
                `rejected records and reasons: cairn query "SELECT * FROM ${report.quarantineTable}"`,
              );
            }
          } finally {
            progress.stop();
          }
        });
      },
    );
}

import { Command, Option } from 'commander';
import { dedupTable, SURVIVORSHIP, type Survivorship } from '../../quality/dedup/dedup.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function dedupCommand(): Command {
  return new Command('dedup')
    .description(
      'find duplicate rows (exact, by key, or fuzzy) as clusters; optionally write a deduplicated table',
    )
    .argument('<table>', 'table name')
    .option('-k, --key <columns>', 'duplicates share these columns, comma-separated', list)
    .option(
      '--fuzzy <columns>',
      'duplicates are similar in these text columns (names, emails, addresses)',
      list,
    )
    .option('--threshold <score>', 'fuzzy: smallest similarity that matches, 0..1 (default 0.95)', Number)
    .addOption(new Option('--keep <rule>', 'survivor of each cluster').choices(SURVIVORSHIP).default('first'))
    .option('--order-by <column>', 'the column dating each row, for --keep newest')
    .option('-o, --out <table>', 'write the deduplicated rows to this table')
    .option('--limit <clusters>', 'clusters to list (largest first)', Number, 20)
    .option(
      '--json',
      'print {"table","mode","rows","clusters","duplicates","sample":[{"cluster","size","score","keep","rows"}],"output"}',
    )
    .action(
      async (
        table: string,
        options: {
          key?: string[];
          fuzzy?: string[];
          threshold?: number;
          keep: Survivorship;
          orderBy?: string;
          out?: string;
          limit: number;
        },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          const report = await dedupTable(platform.db, {
            table,
            key: options.key,
            fuzzy: options.fuzzy,
            threshold: options.threshold,
            keep: options.keep,
            orderBy: options.orderBy,
            output: options.out,
            limit: options.limit,
          });
          if (globals.json) {
            printJson(report);
            return;
          }
          printLine(
            `${table}: ${report.rows.toLocaleString('en')} rows, ${report.clusters.toLocaleString('en')} duplicate clusters, ` +
              `${report.duplicates.toLocaleString('en')} rows beyond each cluster's survivor (${report.mode} on ${report.columns.join(', ')})`,
          );
          for (const cluster of report.sample.slice(0, 5)) {
            printLine(
              `\ncluster at row ${cluster.cluster}: ${cluster.size} rows, score ${cluster.score.toFixed(3)}, keeps row ${cluster.keep}`,
            );
            printLine(formatTable(['_row', ...report.columns], cluster.rows.slice(0, 10)));
          }
          if (report.output)
            printLine(`\nwrote ${report.output.rows.toLocaleString('en')} rows to ${report.output.table}`);
        });
      },
    );
}

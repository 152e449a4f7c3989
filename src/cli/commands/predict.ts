import { Command } from 'commander';
import { predictToFile } from '../../models/predict.js';
import { withPlatform } from '../context.js';
import { printJson, printLine } from '../output.js';

export function predictCommand(): Command {
  return new Command('predict')
    .description('score a table or file with a model and write the input plus predictions to a file')
    .argument('<model>', 'model name (the production version, else the newest, unless --version)')
    .requiredOption('-i, --input <table-or-file>', 'a warehouse table, or a CSV/JSON/NDJSON/Parquet file')
    .requiredOption('-o, --output <file>', 'output file: .csv, .json, .ndjson or .parquet')
    .option('--version <n>', 'model version', Number)
    .option('--json', 'print {"model","version","rows","output","columns"}')
    .action(
      async (
        model: string,
        options: { input: string; output: string; version?: number },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          const report = await predictToFile(platform.db, platform.workspace.artifacts, {
            model,
            ...options,
          });
          if (globals.json) printJson(report);
          else
            printLine(
              `${report.model} v${report.version}: ${report.rows.toLocaleString('en')} rows scored into ${report.output}`,
            );
        });
      },
    );
}

import { Command } from 'commander';
import type { Stage } from '../../models/registry.js';
import { scoreTable, type ScoreProgress } from '../../serving/batch/score-table.js';
import { withPlatform } from '../context.js';
import { withThreads } from '../threads.js';
import { printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';

interface ScoreOptions {
  table: string;
  into: string;
  version?: number;
  stage?: Stage;
  chunkRows?: number;
  threads?: number;
}

/** Off a terminal (logs, CI), progress goes to stderr as plain lines: the first chunk, then at most one a second. */
function lineProgress(): (p: ScoreProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (last !== 0 && now - last < 1000 && p.chunks < p.totalChunks) return;
    last = now;
    process.stderr.write(
      `scored ${p.rows.toLocaleString('en')} rows (chunk ${p.chunks} of ${p.totalChunks} committed)\n`,
    );
  };
}

export function scoreCommand(): Command {
  return new Command('score')
    .description(
      'score a table into another table in chunks; rerun the same command to resume an interrupted run',
    )
    .argument('<model>', 'model name (production version, else the newest, unless --version or --stage)')
    .requiredOption('--table <table>', 'input table')
    .requiredOption('--into <table>', 'output table (replaced): the input columns plus the predictions')
    .option('--version <n>', 'model version', Number)
    .option('--stage <stage>', 'the version in this stage (staging, production…)')
    .option('--chunk-rows <n>', 'rows per committed chunk (default 100000)', Number)
    .option('--threads <n>', 'threads for prediction (default: all cores)', Number)
    .option(
      '--json',
      'print {"model","version","table","into","rows","chunks","resumedChunks","columns","seconds"}',
    )
    .action(async (model: string, options: ScoreOptions, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const tty = !globals.json && process.stderr.isTTY === true;
        const bar = createProgress(`score ${model}`, tty);
        const lines = !globals.json && !tty ? lineProgress() : undefined;
        try {
          const report = await withThreads(options.threads, (pool) =>
            scoreTable(
              platform.db,
              platform.workspace.artifacts,
              {
                model,
                table: options.table,
                into: options.into,
                version: options.version,
                stage: options.stage,
                chunkRows: options.chunkRows,
              },
              {
                pool,
                onProgress: (p) => {
                  bar.update({ fraction: p.fraction, records: p.rows });
                  lines?.(p);
                },
              },
            ),
          );
          bar.stop();
          if (globals.json) printJson(report);
          else
            printLine(
              `${report.model} v${report.version}: ${report.rows.toLocaleString('en')} rows of ${report.table} scored into ${report.into} ` +
                `(${report.seconds.toFixed(1)} s${report.resumedChunks ? `, resumed after ${report.resumedChunks} committed chunks` : ''})`,
            );
        } finally {
          bar.stop();
        }
      });
    });
}

import { Command } from 'commander';
import { readDocumentFile } from '../../core/document-file.js';
import { isUnsupervised, parseSpec } from '../../models/spec.js';
import { trainModel, type TrainReport } from '../../models/train.js';
import { withThreads } from '../threads.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';

function formatMetric(value: number): string {
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4);
}

/** What an unsupervised fit reports beside its metrics: cluster sizes, the k tried, the fills. */
function printDetails(report: TrainReport): void {
  const details = report.details ?? {};
  const sizes = details.sizes as Record<string, number> | undefined;
  if (sizes) {
    const named = Object.entries(sizes).map(([c, n]) => `${c === '-1' ? 'noise' : c}: ${n}`);
    printLine(`cluster sizes: ${named.join(', ')}`);
  }
  const choice = details.k_choice as
    { method: string; candidates: { k: number; inertia: number; silhouette: number }[] } | undefined;
  if (choice) {
    printLine(`k chosen by ${choice.method} from:`);
    printLine(
      formatTable(
        ['k', 'inertia', 'silhouette'],
        choice.candidates.map((c) => ({
          k: c.k,
          inertia: formatMetric(c.inertia),
          silhouette: formatMetric(c.silhouette),
        })),
      ),
    );
  }
  const fills = details.fills as { column: string; filled: number; method: string }[] | undefined;
  if (fills) {
    printLine(fills.length === 0 ? 'no gaps to fill in the training rows' : 'filled in the training rows:');
    if (fills.length > 0) printLine(formatTable(['column', 'filled', 'method'], fills));
  }
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a model from a spec file (JSON or YAML) into a new registry version')
    .argument('<spec>', 'spec file: name, task, algorithm, data, target, features, params, validation')
    .option(
      '--threads <n>',
      'threads for fitting where the algorithm can use them (default: all cores)',
      Number,
    )
    .option('--json', 'print {"model","version","metrics":{…},…}')
    .action(async (file: string, options: { threads?: number }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const raw = readDocumentFile(file, 'spec file');
        const spec = parseSpec(raw, `spec file ${file}`);
        const progress = createProgress(`train ${spec.name}`, !globals.json && process.stderr.isTTY === true);
        try {
          const report = await withThreads(options.threads, (pool) =>
            trainModel(platform.db, platform.workspace.artifacts, spec, {
              onProgress: (fraction) => progress.update({ fraction }),
              pool,
            }),
          );
          progress.stop();
          // A spec with a schedule retrains on it from now on (`cairn serve` or `cairn up` fires it).
          const schedule = spec.schedule ? await platform.jobs.scheduleTraining(raw) : undefined;
          if (globals.json) {
            printJson(schedule ? { ...report, schedule } : report);
            return;
          }
          if (schedule)
            printLine(
              `retrains on '${schedule.cron}' (UTC), next at ${schedule.next ?? 'never'}: \`cairn jobs schedules\``,
            );
          printLine(
            `${report.model} v${report.version}: ${report.algorithm} for ${report.task}, ` +
              `${report.rows.train.toLocaleString('en')} training rows, ${report.features.length} features (${report.seconds.toFixed(1)} s)`,
          );
          for (const d of report.dropped) printLine(`  left out ${d.column}: ${d.reason}`);
          if (report.candidates) {
            printLine('auto tried:');
            printLine(
              formatTable(
                ['algorithm', 'score', 'seconds'],
                report.candidates.map((c) => ({ ...c, seconds: c.seconds.toFixed(1) })),
              ),
            );
          }
          if (isUnsupervised(report.task)) {
            printDetails(report);
            printLine(`metrics on the ${report.rows.train.toLocaleString('en')} training rows:`);
          } else printLine(`held-out metrics (${report.rows.test.toLocaleString('en')} rows):`);
          printLine(
            formatTable(
              ['metric', 'value'],
              Object.entries(report.metrics).map(([metric, v]) => ({ metric, value: formatMetric(v) })),
            ),
          );
        } finally {
          progress.stop();
        }
      });
    });
}

import { Command } from 'commander';
import { parseDuration } from '../../features/duration.js';
import { openSource } from '../../streams/open-source.js';
import { StreamPipeline } from '../../streams/pipeline.js';
import { readStreamSpec } from '../../streams/stream-spec.js';
import { withPlatform } from '../context.js';
import { printJson, printLine } from '../output.js';

export function streamCommand(): Command {
  const stream = new Command('stream').description(
    'streaming pipelines: events into a table and online features',
  );
  stream
    .command('run')
    .description('run the pipeline a stream file describes until interrupted (or --for / --events)')
    .argument('<file>', 'stream pipeline file (YAML or JSON)')
    .option('--for <duration>', 'stop after this long, e.g. 30s')
    .option('--events <n>', 'stop after this many messages')
    .option(
      '--json',
      'print the final {"stream","stats":{received,stored,duplicates,deadLettered,late,batches}}',
    )
    .action(async (file: string, options: { for?: string; events?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const spec = readStreamSpec(file);
        const pipeline = new StreamPipeline(spec, {
          db: platform.db,
          online: await platform.features.online(),
          source: openSource(spec.source, spec.name),
          logger: platform.logger,
        });
        await pipeline.start();
        if (!globals.json)
          printLine(
            `stream ${spec.name}: ${spec.source.type} → table ${spec.table}, features → view ${spec.view}; Ctrl-C stops`,
          );
        const limitMs = options.for ? parseDuration(options.for, '--for') : Infinity;
        const limitEvents = options.events ? Number(options.events) : Infinity;
        const started = Date.now();
        let stop = false;
        const onSignal = () => {
          stop = true;
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        while (!stop && Date.now() - started < limitMs && pipeline.stats.received < limitEvents) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await pipeline.close();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        const stats = pipeline.stats;
        if (globals.json) printJson({ stream: spec.name, stats });
        else
          printLine(
            `stored ${stats.stored}, duplicates ${stats.duplicates}, dead-lettered ${stats.deadLettered}, late ${stats.late} of ${stats.received} received`,
          );
      });
    });
  return stream;
}

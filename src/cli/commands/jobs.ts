import { Command } from 'commander';
import { readDocumentFile } from '../../core/document-file.js';
import { CairnError } from '../../core/errors.js';
import { JOB_STATUSES, type Job, type JobStatus } from '../../jobs/job.js';
import type { JobSchedule } from '../../jobs/job-schedules.js';
import type { Stage } from '../../models/registry.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

const json = (command: Command) => command.option('--json', 'print JSON');

function jobRow(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: `${Math.round(job.progress * 100)}%`,
    message: job.error ?? job.message,
    created: job.createdAt,
  };
}

function listCommand(): Command {
  return json(new Command('list'))
    .description('list jobs, newest first')
    .option('--status <status>', `only jobs in this status (${JOB_STATUSES.join(', ')})`)
    .option('--kind <kind>', 'only jobs of this kind (train, score)')
    .option('--limit <n>', 'most jobs to list', Number, 50)
    .action(async (options: { status?: string; kind?: string; limit: number }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        if (options.status && !(JOB_STATUSES as readonly string[]).includes(options.status)) {
          throw new CairnError(
            'INVALID_ARGUMENT',
            `--status '${options.status}' is not a job status; use one of ${JOB_STATUSES.join(', ')}`,
          );
        }
        const jobs = await platform.jobs.queue.list({
          status: options.status as JobStatus | undefined,
          kind: options.kind,
          limit: options.limit,
        });
        if (globals.json) printJson({ jobs });
        else if (jobs.length === 0) printLine('no jobs');
        else
          printLine(
            formatTable(['id', 'kind', 'status', 'progress', 'message', 'created'], jobs.map(jobRow)),
          );
      });
    });
}

function showCommand(): Command {
  return json(new Command('show'))
    .description('show a job with its progress and log')
    .argument('<id>', 'job id')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const job = await platform.jobs.queue.get(id);
        if (globals.json) return printJson(job);
        printLine(
          `${job.kind} job ${job.id}: ${job.status}, ${Math.round(job.progress * 100)}% — ${job.message}`,
        );
        if (job.error) printLine(`error: ${job.error}`);
        for (const entry of job.log) printLine(`  ${entry.at}  ${entry.level.padEnd(5)}  ${entry.message}`);
      });
    });
}

function cancelCommand(): Command {
  return json(new Command('cancel'))
    .description('cancel a queued job')
    .argument('<id>', 'job id')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const job = await platform.jobs.queue.cancel(id);
        if (globals.json) printJson(job);
        else printLine(`job ${job.id}: ${job.status}`);
      });
    });
}

function printSchedule(schedule: JobSchedule, asJson: boolean | undefined): void {
  if (asJson) printJson(schedule);
  else printLine(`schedule ${schedule.id}: '${schedule.cron}' (UTC), next at ${schedule.next ?? 'never'}`);
}

function scheduleCommand(): Command {
  return json(new Command('schedule'))
    .description(
      "store a spec's retraining schedule (its `schedule` field, or --cron); `cairn serve` fires it",
    )
    .argument('<spec>', 'spec file (JSON or YAML)')
    .option('--cron <expression>', 'cron expression (UTC), instead of the spec’s schedule')
    .action(async (file: string, options: { cron?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        printSchedule(
          await platform.jobs.scheduleTraining(readDocumentFile(file, 'spec file'), options.cron),
          globals.json,
        );
      });
    });
}

interface ScheduleScoreOptions {
  table: string;
  into: string;
  cron: string;
  version?: number;
  stage?: Stage;
  chunkRows?: number;
}

function scheduleScoreCommand(): Command {
  return json(new Command('schedule-score'))
    .description('store a re-scoring schedule: score --table into --into on a cron; `cairn serve` fires it')
    .argument('<model>', 'model name')
    .requiredOption('--table <table>', 'input table')
    .requiredOption('--into <table>', 'output table')
    .requiredOption('--cron <expression>', 'cron expression (UTC), e.g. "0 3 * * *"')
    .option('--version <n>', 'model version (default: production, else newest, at each run)', Number)
    .option('--stage <stage>', 'the version in this stage at each run')
    .option('--chunk-rows <n>', 'rows per committed chunk', Number)
    .action(async (model: string, options: ScheduleScoreOptions, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const { table, into, version, stage, chunkRows } = options;
        const schedule = await platform.jobs.scheduleScoring(
          { model, table, into, version, stage, chunk_rows: chunkRows },
          options.cron,
        );
        printSchedule(schedule, globals.json);
      });
    });
}

function schedulesCommand(): Command {
  return json(new Command('schedules'))
    .description('list stored schedules')
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const schedules = await platform.jobs.schedules.list();
        if (globals.json) printJson({ schedules });
        else if (schedules.length === 0) printLine('no schedules');
        else printLine(formatTable(['id', 'kind', 'cron', 'next', 'lastFiredAt'], schedules));
      });
    });
}

function unscheduleCommand(): Command {
  return json(new Command('unschedule'))
    .description('remove a stored schedule')
    .argument('<id>', 'schedule id, e.g. train:churn or score:churn_scores')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        await platform.jobs.schedules.remove(id);
        if (globals.json) printJson({ removed: id });
        else printLine(`schedule ${id} removed`);
      });
    });
}

export function jobsCommand(): Command {
  return new Command('jobs')
    .description('training and batch-scoring jobs, and their schedules')
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(showCommand())
    .addCommand(cancelCommand())
    .addCommand(scheduleCommand())
    .addCommand(scheduleScoreCommand())
    .addCommand(schedulesCommand())
    .addCommand(unscheduleCommand());
}

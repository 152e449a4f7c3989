import { Command } from 'commander';
import { resolvePort } from '../../core/config.js';
import { CairnError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { cliIdentity } from '../../security/identity.js';
import { parseDuration } from '../../features/duration.js';
import { evaluateFraud } from '../../solutions/fraud/evaluate.js';
import { startLiveFeed } from '../../solutions/fraud/live-feed.js';
import { evaluationMarkdown, writeEvaluationSection } from '../../solutions/fraud/report.js';
import { latestFraudModel } from '../../solutions/fraud/model-store.js';
import { FraudService } from '../../solutions/fraud/service.js';
import {
  fraudStreamEndpoints,
  openFraudSink,
  startFraudStream,
  type FraudStreamEndpoints,
} from '../../solutions/fraud/stream-endpoints.js';
import { trainFraud } from '../../solutions/fraud/train.js';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform.js';
import { withPlatform, type GlobalOptions } from '../context.js';
import { formatTable, printJson, printLine, reportError } from '../output.js';

const SOLUTIONS = ['fraud'] as const;

function checkSolution(name: string): void {
  if (!(SOLUTIONS as readonly string[]).includes(name)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `unknown solution '${name}'; available: ${SOLUTIONS.join(', ')}`,
    );
  }
}

/** `cairn solutions evaluate|train|run <solution>`: the ready use-case pipelines. */
export function solutionsCommand(): Command {
  const solutions = new Command('solutions').description('ready use-case pipelines (fraud)');
  solutions
    .command('evaluate')
    .description(
      'fraud: rules alone, GBDT alone and the ensemble (and XGBoost with --python) on the real credit-card set and on simulated transactions, time-ordered split',
    )
    .argument('<solution>', 'fraud')
    .option('--data <csv>', 'the real credit-card CSV (default data/creditcard_ulb_undersample.csv)')
    .option(
      '--python <path>',
      'a Python with xgboost, to add XGBoost on the same features (e.g. /usr/bin/python3)',
    )
    .option(
      '--results <file>',
      'write the table as the fraud section of this markdown file (e.g. bench/RESULTS.md)',
    )
    .option('--seed <n>', 'seed of the simulator and models', Number, 42)
    .option(
      '--json',
      'print {"rows":[{data,dataset,scorer,threshold,train,test,testFrauds,metrics}],"realRules","notes"}',
    )
    .action(
      (
        solution: string,
        options: { data?: string; python?: string; results?: string; seed: number },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        try {
          checkSolution(solution);
          const evaluation = evaluateFraud({
            creditCardCsv: options.data,
            python: options.python,
            seed: options.seed,
          });
          if (options.results !== undefined) {
            const args = [
              'cairn solutions evaluate fraud',
              options.python ? `--python ${options.python}` : '',
            ];
            writeEvaluationSection(options.results, evaluationMarkdown(evaluation, args.join(' ').trim()));
          }
          if (globals.json) return printJson(evaluation);
          const rows = evaluation.rows.map((r) => ({
            data: r.data,
            scorer: r.scorer,
            threshold: r.threshold,
            precision: round(r.metrics.precision),
            recall: round(r.metrics.recall),
            f1: round(r.metrics.f1),
            pr_auc: round(r.metrics.prAuc),
            [`p@k`]: round(r.metrics.precisionAtK),
            fpr: round(r.metrics.fpr),
          }));
          printLine(formatTable(Object.keys(rows[0]), rows));
          for (const note of evaluation.notes) printLine(`note: ${note}`);
        } catch (error) {
          process.exitCode = reportError(error, globals.json === true);
        }
      },
    );
  solutions
    .command('train')
    .description(
      'fraud: simulate labelled transactions, fit the ensemble under the current rules, register it, and exit',
    )
    .argument('<solution>', 'fraud')
    .option('--users <n>', 'simulated users', Number, 1000)
    .option('--days <n>', 'simulated days', Number, 30)
    .option('--seed <n>', 'seed', Number, 42)
    .option('--json', 'print {"model","ruleVersion","transactions","frauds","holdout","seconds"}')
    .action(
      async (solution: string, options: { users: number; days: number; seed: number }, command: Command) => {
        await withPlatform(command, async (platform, globals) => {
          checkSolution(solution);
          const report = await trainFraud(platform.db, platform.workspace.artifacts, {
            simulator: { users: options.users, days: options.days },
            seed: options.seed,
          });
          if (globals.json) return printJson(report);
          const h = report.holdout;
          printLine(
            `fraud model v${report.model.version} (rules v${report.ruleVersion}) trained on ${report.transactions.toLocaleString('en')} simulated transactions (${report.frauds} fraud) in ${report.seconds.toFixed(1)} s`,
          );
          printLine(
            `hold-out (latest 25 %, simulated): precision ${round(h.precision)}, recall ${round(h.recall)}, PR-AUC ${round(h.prAuc)}, FPR ${round(h.fpr)}`,
          );
        });
      },
    );
  solutions
    .command('stream')
    .description(
      'fraud: the stream consumer alone — decide each transaction from NATS JetStream or MQTT, publish the decision, write both to the warehouse',
    )
    .argument('<solution>', 'fraud')
    .option('--broker <nats|mqtt>', 'message broker', 'nats')
    .option(
      '--url <url>',
      'NATS servers (default 127.0.0.1:4222) or MQTT URL (default mqtt://127.0.0.1:1883)',
    )
    .option(
      '--input <subject>',
      'transactions subject/topic (default cairn.fraud.transactions, cairn/fraud/transactions)',
    )
    .option(
      '--output <subject>',
      'decisions subject/topic (default cairn.fraud.decisions, cairn/fraud/decisions)',
    )
    .option('--consumer <name>', 'durable consumer (NATS) or client id (MQTT)', 'cairn-fraud')
    .option('--stream <name>', 'JetStream stream over the input subject, created when missing', 'CAIRN_FRAUD')
    .option('--batch <n>', 'decisions written to the warehouse together (or every 250 ms)', Number, 5000)
    .option('--for <duration>', 'stop after this long, e.g. 30s')
    .option('--events <n>', 'stop once this many messages are acknowledged', Number)
    .option(
      '--json',
      'print {"endpoints","stats":{received,decided,duplicates,deadLettered,acked,batches},"seconds"} at the end',
    )
    .action(
      async (
        solution: string,
        options: StreamOptions & { batch: number; for?: string; events?: number },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          checkSolution(solution);
          const endpoints = endpointsOf(options);
          const limitMs = options.for === undefined ? Infinity : parseDuration(options.for, '--for');
          // This process's DuckDB work is the decision log's micro-batch writes. With one thread the
          // calling thread runs each write itself; with more, it spins while a worker runs it, which
          // cost the consumer a third of a core.
          await platform.db.run('SET threads = 1');
          const service = await openService(platform);
          const stream = await startFraudStream({
            service,
            db: platform.db,
            logger: platform.logger,
            endpoints,
            batchSize: options.batch,
          });
          if (!globals.json)
            process.stderr.write(
              `fraud: deciding ${endpoints.broker} ${endpoints.input} → ${endpoints.output}; Ctrl-C stops\n`,
            );
          const started = Date.now();
          await untilStopped(
            () =>
              Date.now() - started >= limitMs || stream.consumer.stats.acked >= (options.events ?? Infinity),
          );
          await stream.stop();
          await service.close();
          const stats = stream.consumer.stats;
          const seconds = (Date.now() - started) / 1000;
          if (globals.json) printJson({ endpoints, stats, seconds });
          else
            printLine(
              `decided ${stats.decided}, duplicates ${stats.duplicates}, dead-lettered ${stats.deadLettered}, acknowledged ${stats.acked} of ${stats.received} received in ${seconds.toFixed(1)} s`,
            );
        });
      },
    );
  solutions
    .command('run')
    .description(
      'fraud: train if no model exists, start the server and the stream consumer, and feed simulated transactions through the broker (or HTTP with --broker http)',
    )
    .argument('<solution>', 'fraud')
    .option('-p, --port <port>', 'port (default: CAIRN_PORT or 7070; 0 picks a free one)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--rate <n>', 'simulated transactions per second', Number, 20)
    .option('--seed <n>', 'seed of the live simulation', Number, 7)
    .option('--broker <nats|mqtt|http>', 'how the simulator sends transactions', 'nats')
    .option('--url <url>', 'broker URL (defaults as for `solutions stream`)')
    .option('--input <subject>', 'transactions subject/topic')
    .option('--output <subject>', 'decisions subject/topic')
    .option('--consumer <name>', 'durable consumer (NATS) or client id (MQTT)', 'cairn-fraud')
    .option('--stream <name>', 'JetStream stream over the input subject', 'CAIRN_FRAUD')
    .option('--json', 'print {"url","home","model","stream"} once listening')
    .action(
      async (
        solution: string,
        options: StreamOptions & { port?: string; host: string; rate: number; seed: number },
        command: Command,
      ) => {
        const logger = createLogger();
        await withPlatform(
          command,
          async (platform, globals) => {
            checkSolution(solution);
            if ((await latestFraudModel(platform.db)) === null) {
              process.stderr.write('fraud: no model yet; training one on simulated transactions…\n');
              await trainFraud(platform.db, platform.workspace.artifacts);
            }
            const service = await openService(platform);
            const { buildServer } = await import('../../server/app.js');
            const app = await buildServer(platform, { logger: false, fraud: service });
            const url = await app.listen({ port: resolvePort(options.port), host: options.host });
            const model = await latestFraudModel(platform.db);
            const viaHttp = options.broker === 'http';
            const endpoints = viaHttp ? null : endpointsOf(options);
            const stream = endpoints
              ? await startFraudStream({ service, db: platform.db, logger, endpoints })
              : null;
            const feed = endpoints
              ? await openFraudSink({ ...endpoints, output: endpoints.input }, logger)
              : await httpFeed(platform, app);
            const stopFeed = startLiveFeed((tx) => feed.publish(JSON.stringify(tx)), options);
            if (globals.json)
              printJson({ url, home: platform.home, model: model?.version ?? null, stream: endpoints });
            else
              process.stderr.write(
                `fraud: serving at ${url}; simulating ${options.rate} transactions/s ${endpoints ? `through ${endpoints.broker} ${endpoints.input} (decisions on ${endpoints.output})` : 'to POST /v1/fraud/score'}\n`,
              );
            await untilStopped(() => false);
            stopFeed();
            await feed.close();
            await stream?.stop();
            await app.close();
          },
          logger,
        );
      },
    );
  return solutions;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

interface StreamOptions {
  broker: string;
  url?: string;
  input?: string;
  output?: string;
  consumer: string;
  stream: string;
}

function endpointsOf(options: StreamOptions): FraudStreamEndpoints {
  const { url, input, output, consumer, stream } = options;
  return fraudStreamEndpoints(options.broker, { url, input, output, consumer, stream });
}

async function openService(platform: Platform): Promise<FraudService> {
  return FraudService.open({
    db: platform.db,
    artifactsDir: platform.workspace.artifacts,
    logger: platform.logger,
    online: await platform.features.online(),
  });
}

/** Resolves on SIGINT/SIGTERM or once `done()` holds (checked every 50 ms). */
async function untilStopped(done: () => boolean): Promise<void> {
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  while (!stop && !done()) await new Promise((resolve) => setTimeout(resolve, 50));
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/**
 * The simulator as an HTTP client of /v1/fraud/score, with a short-lived service key that is
 * revoked when the feed closes.
 */
async function httpFeed(
  platform: Platform,
  app: FastifyInstance,
): Promise<{ publish: (body: string) => void; close: () => Promise<void> }> {
  const key = await platform.security.createKey(cliIdentity(), {
    role: 'service',
    expiresInMs: 24 * 3_600_000,
    name: 'fraud simulator (cairn solutions run)',
  });
  const headers = { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' };
  return {
    publish: (payload) => void app.inject({ method: 'POST', url: '/v1/fraud/score', payload, headers }),
    close: async () => {
      await platform.security.revokeKey(cliIdentity(), key.id);
    },
  };
}

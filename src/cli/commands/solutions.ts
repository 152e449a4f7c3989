import { Command } from 'commander';
import { once } from 'node:events';
import { resolvePort } from '../../core/config.js';
import { CairnError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { cliIdentity } from '../../security/identity.js';
import { evaluateFraud } from '../../solutions/fraud/evaluate.js';
import { evaluationMarkdown, writeEvaluationSection } from '../../solutions/fraud/report.js';
import { simulateTransactions } from '../../solutions/fraud/simulator.js';
import { latestFraudModel } from '../../solutions/fraud/model-store.js';
import { trainFraud } from '../../solutions/fraud/train.js';
import { withoutLabel } from '../../solutions/fraud/transaction.js';
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
    .command('run')
    .description(
      'fraud: train if no model exists, start the server, and stream simulated transactions to /v1/fraud/score',
    )
    .argument('<solution>', 'fraud')
    .option('-p, --port <port>', 'port (default: CAIRN_PORT or 7070; 0 picks a free one)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--rate <n>', 'simulated transactions per second', Number, 20)
    .option('--seed <n>', 'seed of the live simulation', Number, 7)
    .option('--json', 'print {"url","home","model"} once listening')
    .action(
      async (
        solution: string,
        options: { port?: string; host: string; rate: number; seed: number },
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
            const { buildServer } = await import('../../server/app.js');
            const app = await buildServer(platform, { logger: false });
            const url = await app.listen({ port: resolvePort(options.port), host: options.host });
            const model = await latestFraudModel(platform.db);
            if (globals.json) printJson({ url, home: platform.home, model: model?.version ?? null });
            else
              process.stderr.write(`fraud: serving at ${url}; simulating ${options.rate} transactions/s\n`);
            const live = simulateTransactions({ seed: options.seed, start: Date.now(), days: 1 });
            // The simulator is a client like any other: a short-lived service key, revoked on exit.
            const key = await platform.security.createKey(cliIdentity(), {
              role: 'service',
              expiresInMs: 24 * 3_600_000,
              name: 'fraud simulator (cairn solutions run)',
            });
            const headers = { authorization: `Bearer ${key.key}` };
            let next = 0;
            const timer = setInterval(() => {
              for (let k = 0; k < Math.max(1, Math.round(options.rate / 10)); k++) {
                const tx = withoutLabel(live[next++ % live.length]);
                void app.inject({
                  method: 'POST',
                  url: '/v1/fraud/score',
                  payload: { ...tx, timestamp: new Date().toISOString() },
                  headers,
                });
              }
            }, 100);
            await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
            clearInterval(timer);
            await app.close();
            await platform.security.revokeKey(cliIdentity(), key.id);
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

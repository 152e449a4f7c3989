import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { CairnError, errorMessage } from '../../core/errors.js';
import { modelCard, modelCardHtml } from '../../models/card.js';
import { importXgboostModel } from '../../models/import-xgboost.js';
import { lineage } from '../../models/lineage.js';
import { listVersions } from '../../models/registry.js';
import { checkStage, rollback, setStage, type StageChange } from '../../models/stages.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

function readCategories(file: string): Record<string, string[]> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read categories file ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

function importXgboostCommand(): Command {
  return new Command('import-xgboost')
    .description('register an XGBoost JSON model (save_model("m.json"), XGBoost ≥ 1.6) as a new version')
    .argument('<file>', 'the XGBoost JSON model file')
    .requiredOption('--name <model>', 'model name to register it under')
    .option('--classes <labels>', 'class labels by class code, comma-separated (default 0,1,…)')
    .option('--categories <file>', 'JSON {"feature": ["label for code 0", …]} for categorical features')
    .option('--json', 'print {"model","version","task","features","trees"}')
    .action(
      async (
        file: string,
        options: { name: string; classes?: string; categories?: string },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          const report = await importXgboostModel(platform.db, platform.workspace.artifacts, {
            file,
            name: options.name,
            classes: options.classes?.split(',').map((c) => c.trim()),
            categories: options.categories ? readCategories(options.categories) : undefined,
          });
          if (globals.json) printJson(report);
          else
            printLine(
              `${report.model} v${report.version}: ${report.task} model with ${report.trees} trees over ${report.features.length} features`,
            );
        });
      },
    );
}

function listCommand(): Command {
  return new Command('list')
    .description('list models and their versions (stage, algorithm, headline metric)')
    .argument('[name]', 'only this model')
    .option('--json', 'print {"versions":[{"name","version","stage","task","algorithm","metrics",…}]}')
    .action(async (name: string | undefined, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const versions = await listVersions(platform.db, name);
        if (globals.json) printJson({ versions: versions.map(({ evaluation: _, ...v }) => v) });
        else if (versions.length === 0) printLine('no models yet; train one with: cairn train SPEC');
        else
          printLine(
            formatTable(
              ['name', 'version', 'stage', 'algorithm', 'metric', 'rows', 'created'],
              versions.map((v) => ({
                ...v,
                metric: headline(v.task, v.metrics),
                rows: v.data.rows,
                created: v.createdAt.slice(0, 19),
              })),
            ),
          );
      });
    });
}

function headline(task: string, metrics: Record<string, unknown>): string {
  const [name, value] =
    task === 'binary'
      ? ['auc', metrics.auc]
      : task === 'multiclass'
        ? ['accuracy', metrics.accuracy]
        : ['rmse', metrics.rmse];
  return typeof value === 'number' ? `${name} ${value.toPrecision(4)}` : '–';
}

function showCommand(): Command {
  return new Command('show')
    .description("show a version's model card: metrics, parameters, data, features, stage history")
    .argument('<name>', 'model name')
    .option('--version <n>', 'version (default: production, else newest)')
    .option('--html <file>', 'also write the card as a self-contained HTML page')
    .option('--json', 'print the card as JSON')
    .action(async (name: string, options: { version?: string; html?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const card = await modelCard(
          platform.db,
          platform.workspace.artifacts,
          name,
          versionOption(options.version),
        );
        if (options.html) writeFileSync(options.html, modelCardHtml(card));
        if (globals.json) {
          printJson(card);
          return;
        }
        printLine(
          `${card.model} v${card.version} (${card.stage}): ${card.task}, ${card.algorithm}, trained ${card.createdAt.slice(0, 19)}`,
        );
        printLine(
          `data: ${card.data.source}, ${card.data.rows.toLocaleString('en')} rows, hash ${card.data.hash}`,
        );
        printLine(
          formatTable(
            ['metric', 'value'],
            Object.entries(card.metrics).map(([metric, value]) => ({ metric, value })),
          ),
        );
        printLine(`features: ${card.features.map((f) => f.name).join(', ')}`);
        if (options.html) printLine(`card written to ${options.html}`);
      });
    });
}

function promoteCommand(): Command {
  return new Command('promote')
    .description(
      'move a version to a stage; promoting to production archives the previous production version',
    )
    .argument('<name>', 'model name')
    .argument('<version>', 'version number')
    .option('--stage <stage>', 'staging | production | archived', 'production')
    .option('--json', 'print {"model","version","stage","archived":[…]}')
    .action(async (name: string, version: string, options: { stage: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const change = await setStage(platform.db, name, versionOption(version)!, checkStage(options.stage));
        if (globals.json) printJson(change);
        else printLine(describeChange(change));
      });
    });
}

function rollbackCommand(): Command {
  return new Command('rollback')
    .description('put the previous production version back into production')
    .argument('<name>', 'model name')
    .option('--json', 'print {"model","version","stage","archived":[…]}')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const change = await rollback(platform.db, name);
        if (globals.json) printJson(change);
        else printLine(describeChange(change));
      });
    });
}

function describeChange(change: StageChange): string {
  const archived = change.archived.length > 0 ? ` (archived v${change.archived.join(', v')})` : '';
  return `${change.model} v${change.version} is now ${change.stage}${archived}`;
}

function lineageCommand(): Command {
  return new Command('lineage')
    .description('which data and which spec made each version, and the stage changes')
    .argument('<name>', 'model name')
    .option(
      '--json',
      'print {"model","versions":[{"version","data","specHash","sameDataAs",…}],"stages":[…]}',
    )
    .action(async (name: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const result = await lineage(platform.db, name);
        if (globals.json) {
          printJson(result);
          return;
        }
        printLine(
          formatTable(
            ['version', 'stage', 'created', 'data', 'rows', 'data hash', 'spec', 'note'],
            result.versions.map((v) => ({
              version: v.version,
              stage: v.stage,
              created: v.createdAt.slice(0, 19),
              data: v.data.source,
              rows: v.data.rows,
              'data hash': v.data.hash,
              spec: v.specHash,
              note: [
                v.sameDataAs ? `same data as v${v.sameDataAs}` : '',
                v.sameSpecAs ? `same spec as v${v.sameSpecAs}` : '',
              ]
                .filter(Boolean)
                .join('; '),
            })),
          ),
        );
        for (const e of result.stages)
          printLine(`${e.at.slice(0, 19)}  v${e.version} ${e.from} → ${e.to} (${e.reason})`);
      });
    });
}

function versionOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CairnError('INVALID_ARGUMENT', `version '${value}' is not a whole number ≥ 1`);
  return n;
}

export function modelsCommand(): Command {
  return new Command('models')
    .description('work with registered models')
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(promoteCommand())
    .addCommand(rollbackCommand())
    .addCommand(lineageCommand())
    .addCommand(importXgboostCommand());
}

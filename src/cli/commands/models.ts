import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CairnError, errorMessage } from '../../core/errors.js';
import { importXgboostModel } from '../../models/import-xgboost.js';
import { withPlatform } from '../context.js';
import { printJson, printLine } from '../output.js';

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

export function modelsCommand(): Command {
  return new Command('models').description('work with registered models').addCommand(importXgboostCommand());
}

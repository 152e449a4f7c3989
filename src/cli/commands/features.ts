import { Command } from 'commander';
import { CairnError } from '../../core/errors.js';
import { readFeatureView } from '../../features/views/feature-view.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

function parseAsOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(at.getTime()))
    throw new CairnError(
      'INVALID_ARGUMENT',
      `--as-of '${text}' is not a timestamp; use e.g. 2011-12-09T12:00:00Z`,
    );
  return at;
}

export function featuresCommand(): Command {
  const features = new Command('features').description(
    'feature views, point-in-time training sets and the online store',
  );
  features
    .command('apply')
    .description('save a feature view from a YAML or JSON file (replacing one of the same name)')
    .argument('<file>', 'feature view file')
    .option('--json', 'print {"name","replaced","features":[…]}')
    .action(async (file: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const report = await platform.features.apply(readFeatureView(file));
        if (globals.json) printJson(report);
        else
          printLine(
            `${report.replaced ? 'replaced' : 'applied'} feature view ${report.name} (${report.features.length} features)`,
          );
      });
    });
  features
    .command('list')
    .description('list the feature views')
    .option(
      '--json',
      'print {"views":[{"name","entity","source","features","ttl","appliedAt","materializedAt",…}]}',
    )
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const views = await platform.features.list();
        if (globals.json) printJson({ views });
        else if (views.length === 0)
          printLine('no feature views yet; save one with: cairn features apply FILE');
        else
          printLine(
            formatTable(
              ['name', 'entity', 'source', 'features', 'ttl', 'materializedAt'],
              views.map((v) => ({ ...v, features: v.features.length })),
            ),
          );
      });
    });
  features
    .command('training-set')
    .description(
      "join each label row with the view's features as of the row's ts (point in time, never later)",
    )
    .requiredOption('--view <name>', 'feature view')
    .requiredOption('--labels <file>', 'CSV with the entity column, a ts column and any label columns')
    .requiredOption('--out <file>', 'output file (.csv, .parquet, .json, .ndjson)')
    .option('--json', 'print {"view","out","rows","features":[…]}')
    .action(async (options: { view: string; labels: string; out: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const report = await platform.features.trainingSet(options.view, options.labels, options.out);
        if (globals.json) printJson(report);
        else
          printLine(
            `wrote ${report.rows.toLocaleString('en')} rows with ${report.features.length} features to ${report.out}`,
          );
      });
    });
  features
    .command('materialize')
    .description("compute every entity's features into the table features_<view> and the online store")
    .argument('<view>', 'feature view')
    .option('--as-of <timestamp>', 'compute as of this time (default: now)')
    .option('--json', 'print {"view","table","asOf","entities","online","seconds"}')
    .action(async (view: string, options: { asOf?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const report = await platform.features.materialize(view, parseAsOf(options.asOf));
        if (globals.json) printJson(report);
        else
          printLine(
            `materialised ${report.entities.toLocaleString('en')} entities of ${report.view} as of ${report.asOf} into ${report.table} and the ${report.online} online store`,
          );
      });
    });
  features
    .command('get')
    .description("an entity's online features")
    .argument('<view>', 'feature view')
    .argument('<entity>', 'entity key')
    .option('--json', 'print {"view","entity","features":{…}}')
    .action(async (view: string, entity: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const lookup = await platform.features.lookup(view, entity);
        if (globals.json) printJson(lookup);
        else
          printLine(
            formatTable(
              ['feature', 'value'],
              Object.entries(lookup.features).map(([feature, value]) => ({ feature, value })),
            ),
          );
      });
    });
  return features;
}

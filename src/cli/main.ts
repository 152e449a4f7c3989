import { Command } from 'commander';
import { VERSION } from '../version.js';
import { exportCommand } from './commands/export.js';
import { ingestCommand } from './commands/ingest.js';
import { modelsCommand } from './commands/models.js';
import { predictCommand } from './commands/predict.js';
import { queryCommand } from './commands/query.js';
import { serveCommand, upCommand } from './commands/serve.js';
import { schemaCommand, tablesCommand } from './commands/tables.js';
import { trainCommand } from './commands/train.js';

const program = new Command('cairn')
  .description('Cairn: a self-hosted AI data platform')
  .version(VERSION)
  .option('--home <dir>', 'workspace folder (default: CAIRN_HOME or ./.cairn)')
  .showHelpAfterError();

for (const command of [
  ingestCommand(),
  tablesCommand(),
  schemaCommand(),
  queryCommand(),
  exportCommand(),
  trainCommand(),
  predictCommand(),
  modelsCommand(),
  serveCommand(),
  upCommand(),
]) {
  program.addCommand(command);
}

await program.parseAsync(process.argv);

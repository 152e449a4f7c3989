import { Command } from 'commander';
import { VERSION } from '../version.js';
import { checkCommand } from './commands/check.js';
import { dedupCommand } from './commands/dedup.js';
import { exportCommand } from './commands/export.js';
import { featuresCommand } from './commands/features.js';
import { ingestCommand } from './commands/ingest.js';
import { jobsCommand } from './commands/jobs.js';
import { modelsCommand } from './commands/models.js';
import { predictCommand } from './commands/predict.js';
import { profileCommand, reportCommand } from './commands/profile.js';
import { queryCommand } from './commands/query.js';
import { rulesCommand } from './commands/rules.js';
import {
  auditCommand,
  encryptionCommand,
  keysCommand,
  piiCommand,
  policyCommand,
  subjectCommand,
} from './commands/security.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand, upCommand } from './commands/serve.js';
import { streamCommand } from './commands/stream.js';
import { solutionsCommand } from './commands/solutions.js';
import { dropCommand, schemaCommand, tablesCommand } from './commands/tables.js';
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
  dropCommand(),
  queryCommand(),
  exportCommand(),
  profileCommand(),
  checkCommand(),
  rulesCommand(),
  dedupCommand(),
  reportCommand(),
  trainCommand(),
  predictCommand(),
  scoreCommand(),
  jobsCommand(),
  modelsCommand(),
  featuresCommand(),
  streamCommand(),
  serveCommand(),
  upCommand(),
  keysCommand(),
  auditCommand(),
  policyCommand(),
  encryptionCommand(),
  piiCommand(),
  subjectCommand(),
  solutionsCommand(),
]) {
  program.addCommand(command);
}

await program.parseAsync(process.argv);

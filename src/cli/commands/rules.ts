import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { profileTable } from '../../quality/profile/profile.js';
import {
  INGEST_POLICIES,
  deleteRuleSet,
  listRuleSets,
  requireRuleSet,
  saveRuleSet,
} from '../../quality/rules/ruleset-store.js';
import { runDueChecks } from '../../quality/rules/schedule.js';
import { parseRuleSet, readRuleSetFile, type RuleSet } from '../../quality/rules/spec.js';
import { suggestRules } from '../../quality/rules/suggest.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';
import { checkJson } from './check.js';

function suggestCommand(): Command {
  return new Command('suggest')
    .description('propose rules from a profile of the table (review, edit, then `cairn rules save`)')
    .argument('<table>', 'table name')
    .option('-o, --out <file>', 'write the proposal as a YAML rules file')
    .option('--save', 'save the proposal as the table’s rules straight away')
    .option('--json', 'print the proposed rules document as JSON')
    .action(async (table: string, options: { out?: string; save?: boolean }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const proposal = await suggestRules(platform.db, await profileTable(platform.db, table));
        if (options.out) writeFileSync(options.out, stringify(proposal, { lineWidth: 0 }));
        if (options.save) await saveRuleSet(platform.db, table, parseRuleSet(proposal));
        if (globals.json) printJson(proposal);
        else if (!options.out) printLine(stringify(proposal, { lineWidth: 0 }).trimEnd());
        else
          printLine(
            `wrote ${proposal.rules.length} proposed rules to ${options.out}${options.save ? ' and saved them' : ''}`,
          );
      });
    });
}

function saveCommand(): Command {
  return new Command('save')
    .description(
      'save a rules file as the table’s rules: checked by `cairn check`, on every ingest and on its schedule',
    )
    .argument('<table>', 'table name')
    .argument('<file>', 'rules file (YAML or JSON)')
    .addOption(
      new Option(
        '--on-ingest <policy>',
        'failing error rules at ingest: block the load or quarantine the rows',
      ).choices(INGEST_POLICIES),
    )
    .option('--schedule <cron>', 'cron expression for scheduled checks, e.g. "0 6 * * *"')
    .option('--json', 'print the saved rule set')
    .action(
      async (
        table: string,
        file: string,
        options: { onIngest?: RuleSet['on_ingest']; schedule?: string },
        command: Command,
      ) => {
        await withPlatform(command, async (platform, globals) => {
          const ruleSet = readRuleSetFile(file);
          const saved = await saveRuleSet(platform.db, table, {
            ...ruleSet,
            on_ingest: options.onIngest ?? ruleSet.on_ingest,
            schedule: options.schedule ?? ruleSet.schedule,
          });
          if (globals.json) printJson(saved);
          else
            printLine(
              `saved ${saved.rules.length} rules for ${table} (on ingest: ${saved.policy}${saved.schedule ? `; schedule ${saved.schedule}, next ${saved.next_run}` : ''})`,
            );
        });
      },
    );
}

function showCommand(): Command {
  return new Command('show')
    .description('print a table’s saved rules as YAML')
    .argument('<table>', 'table name')
    .option('--json', 'print {"table","policy","schedule","rules","updated_at","next_run"}')
    .action(async (table: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const saved = await requireRuleSet(platform.db, table);
        if (globals.json) printJson(saved);
        else
          printLine(
            stringify(
              {
                table,
                on_ingest: saved.policy,
                ...(saved.schedule ? { schedule: saved.schedule } : {}),
                rules: saved.rules,
              },
              { lineWidth: 0 },
            ).trimEnd(),
          );
      });
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('list the tables that have saved rules')
    .option('--json', 'print {"rulesets":[…]}')
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const sets = await listRuleSets(platform.db);
        if (globals.json) printJson({ rulesets: sets });
        else
          printLine(
            formatTable(
              ['table', 'rules', 'on_ingest', 'schedule', 'next_run'],
              sets.map((s) => ({
                table: s.table,
                rules: s.rules.length,
                on_ingest: s.policy,
                schedule: s.schedule ?? '',
                next_run: s.next_run ?? '',
              })),
            ),
          );
      });
    });
}

function removeCommand(): Command {
  return new Command('remove')
    .description('delete a table’s saved rules (its check history stays)')
    .argument('<table>', 'table name')
    .option('--json', 'print {"table","removed":true}')
    .action(async (table: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        await deleteRuleSet(platform.db, table);
        if (globals.json) printJson({ table, removed: true });
        else printLine(`removed the rules of ${table}`);
      });
    });
}

function runDueCommand(): Command {
  return new Command('run-due')
    .description(
      'run every saved rule set whose schedule is due (call it each minute from cron until Cairn has a scheduler)',
    )
    .option('--json', 'print {"runs":[{"table","due","report"|"error"}]}')
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const runs = await runDueChecks(platform.db);
        if (globals.json) {
          printJson({
            runs: runs.map((r) => ({ ...r, report: r.report ? checkJson(r.report) : undefined })),
          });
          return;
        }
        if (runs.length === 0) printLine('no scheduled check is due');
        for (const r of runs)
          printLine(`${r.table}: ${r.error ? `error: ${r.error}` : r.report?.passed ? 'passed' : 'FAILED'}`);
      });
    });
}

export function rulesCommand(): Command {
  return new Command('rules')
    .description('data-quality rules: suggest, save, show, list, remove, run scheduled checks')
    .addCommand(suggestCommand())
    .addCommand(saveCommand())
    .addCommand(showCommand())
    .addCommand(listCommand())
    .addCommand(removeCommand())
    .addCommand(runDueCommand());
}

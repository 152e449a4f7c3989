import { Command } from 'commander';
import { parseDuration } from '../../security/api-keys.js';
import { cliIdentity } from '../../security/identity.js';
import { parseMaskMethod } from '../../security/masking.js';
import { parseRole, type Role } from '../../security/roles.js';
import { withPlatform } from '../context.js';
import { formatTable, printJson, printLine } from '../output.js';

function roles(list: string | undefined): Role[] {
  return (list ?? '')
    .split(',')
    .filter(Boolean)
    .map((r) => parseRole(r.trim()));
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys: create, list, revoke');
  keys
    .command('create')
    .description('create an API key; the key is printed once and stored only hashed')
    .requiredOption('--role <role>', 'admin, engineer, analyst, viewer or service')
    .option('--expires <duration>', 'lifetime, e.g. 90d, 12h, 1y (default: no expiry)')
    .option('--name <name>', 'a label for `keys list`')
    .option('--json', 'print {"id","key","role","expiresAt"}')
    .action(async (options: { role: string; expires?: string; name?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const created = await platform.security.createKey(cliIdentity(), {
          role: parseRole(options.role, '--role'),
          name: options.name,
          expiresInMs: options.expires === undefined ? undefined : parseDuration(options.expires),
        });
        if (globals.json) printJson(created);
        else {
          printLine(
            `created ${created.id} (${created.role}${created.expiresAt ? `, expires ${created.expiresAt}` : ''})`,
          );
          printLine(`key: ${created.key}`);
          printLine('this is the only time the key is shown; send it as `Authorization: Bearer <key>`');
        }
      });
    });
  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--json', 'print [{"id","name","role","createdAt","expiresAt","revokedAt","lastUsedAt"}]')
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const list = await platform.security.keys.list();
        if (globals.json) printJson(list);
        else
          printLine(
            formatTable(['id', 'name', 'role', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt'], list),
          );
      });
    });
  keys
    .command('revoke')
    .description('revoke an API key and end the sessions opened from it')
    .argument('<id>', 'key id, e.g. k_3f2a9c01b7de')
    .option('--json', 'print the revoked key')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const info = await platform.security.revokeKey(cliIdentity(), id);
        if (globals.json) printJson(info);
        else printLine(`revoked ${info.id} at ${info.revokedAt}`);
      });
    });
  return keys;
}

export function auditCommand(): Command {
  const audit = new Command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('recompute the hash chain; exit code 1 when an entry was edited or removed')
    .option('--json', 'print {"ok","entries","head","problems":[{"seq","problem"}]}')
    .action(async (_options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const result = await platform.security.audit.verify();
        if (globals.json) printJson(result);
        else if (result.ok)
          printLine(`audit log intact: ${result.entries} entries, head ${result.head ?? '-'}`);
        else for (const p of result.problems) printLine(`entry ${p.seq}: ${p.problem}`);
        if (!result.ok) process.exitCode = 1;
      });
    });
  audit
    .command('list')
    .description('entries, newest first')
    .option('--limit <n>', 'most entries', '50')
    .option('--action <prefix>', 'only actions starting with this')
    .option('--actor <actor>', 'only this actor, e.g. key:k_3f2a9c01b7de or cli:ana')
    .option('--json', 'print [{"seq","at","actor","role","action","object","detail","prevHash","hash"}]')
    .action(async (options: { limit: string; action?: string; actor?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const entries = await platform.security.audit.list({ ...options, limit: Number(options.limit) });
        if (globals.json) printJson(entries);
        else printLine(formatTable(['seq', 'at', 'actor', 'role', 'action', 'object'], entries));
      });
    });
  return audit;
}

export function subjectCommand(): Command {
  const subject = new Command('subject').description('GDPR: export or erase a data subject everywhere');
  const columns = '--columns <list>';
  const columnsHelp = 'comma-separated columns naming the subject (default: id/email/customer_id-like names)';
  subject
    .command('export')
    .description('print everything held about a subject: tables, feature tables, logs, quarantine')
    .argument('<id>', 'the subject’s identifier, e.g. a customer id or email')
    .option(columns, columnsHelp)
    .option('--json', 'print [{"schema","table","columns","rows"}]')
    .action(async (id: string, options: { columns?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const hits = await platform.security.exportSubject(cliIdentity(), id, options.columns?.split(','));
        if (globals.json) printJson(hits);
        else if (hits.length === 0) printLine(`nothing held about '${id}'`);
        else
          for (const hit of hits) {
            printLine(
              `${hit.schema}.${hit.table} (${hit.rows.length} rows, matched on ${hit.columns.join(', ')})`,
            );
            printLine(formatTable(Object.keys(hit.rows[0] ?? {}), hit.rows));
          }
      });
    });
  subject
    .command('erase')
    .description('delete every row holding a subject, in one transaction; recorded in the audit log')
    .argument('<id>', 'the subject’s identifier')
    .option(columns, columnsHelp)
    .option('--json', 'print [{"schema","table","rows"}]')
    .action(async (id: string, options: { columns?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const removed = await platform.security.eraseSubject(cliIdentity(), id, options.columns?.split(','));
        if (globals.json) printJson(removed);
        else if (removed.length === 0) printLine(`nothing held about '${id}'`);
        else for (const r of removed) printLine(`${r.schema}.${r.table}: ${r.rows} rows erased`);
      });
    });
  return subject;
}

export function policyCommand(): Command {
  const policy = new Command('policy').description('per-table grants and column masks');
  policy
    .command('show')
    .argument('<table>')
    .option('--json', 'print {"table","grants","masks","encrypted"}')
    .action(async (table: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform) => {
        printJson(await platform.security.policies.forTable(table));
      });
    });
  policy
    .command('grant')
    .description('let a role read a table; once a table has grants, other roles (but admin) cannot')
    .argument('<table>')
    .argument('<role>')
    .option('--revoke', 'withdraw the grant instead')
    .option('--json')
    .action(async (table: string, role: string, options: { revoke?: boolean }, command: Command) => {
      await withPlatform(command, async (platform) => {
        printJson(
          await platform.security.grant(cliIdentity(), table, parseRole(role), options.revoke === true),
        );
      });
    });
  policy
    .command('mask')
    .description('mask a column for every role except --unmasked (admin always sees it)')
    .argument('<table>')
    .argument('<column>')
    .option('--method <method>', 'email, partial, last4, hash, redact or null', 'redact')
    .option('--unmasked <roles>', 'comma-separated roles that see the clear value')
    .option('--remove', 'remove the mask')
    .option('--json')
    .action(
      async (
        table: string,
        column: string,
        options: { method: string; unmasked?: string; remove?: boolean },
        command: Command,
      ) => {
        await withPlatform(command, async (platform) => {
          const method = options.remove ? null : parseMaskMethod(options.method);
          printJson(
            await platform.security.mask(cliIdentity(), table, column, method, roles(options.unmasked)),
          );
        });
      },
    );
  return policy;
}

export function encryptionCommand(): Command {
  const encryption = new Command('encryption').description('AES-256-GCM encryption of sensitive columns');
  encryption
    .command('encrypt')
    .description('mark a column sensitive and encrypt its stored values (and every later ingest)')
    .argument('<table>')
    .argument('<column>')
    .option('--readers <roles>', 'comma-separated roles that see it decrypted (admin always does)')
    .option('--json')
    .action(async (table: string, column: string, options: { readers?: string }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const rows = await platform.security.encrypt(cliIdentity(), table, column, roles(options.readers));
        if (globals.json) printJson({ table, column, rows, key: platform.security.keyring.version });
        else
          printLine(
            `${table}.${column}: ${rows} values encrypted with key v${platform.security.keyring.version}`,
          );
      });
    });
  encryption
    .command('decrypt')
    .description('store a column in clear again and drop its sensitive mark')
    .argument('<table>')
    .argument('<column>')
    .option('--json')
    .action(async (table: string, column: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const rows = await platform.security.decrypt(cliIdentity(), table, column);
        if (globals.json) printJson({ table, column, rows });
        else printLine(`${table}.${column}: ${rows} values decrypted`);
      });
    });
  encryption
    .command('rotate')
    .description(
      'add a new key and re-encrypt every sensitive column under it (old keys keep working meanwhile)',
    )
    .option(
      '--reseal-only',
      'do not add a key; re-encrypt under the current one (after changing CAIRN_ENCRYPTION_KEYS)',
    )
    .option('--json')
    .action(async (options: { resealOnly?: boolean }, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const result = await platform.security.rotate(cliIdentity(), { newKey: !options.resealOnly });
        if (globals.json) printJson(result);
        else printLine(`current key v${result.version}; ${result.resealed} values re-encrypted`);
      });
    });
  return encryption;
}

export function piiCommand(): Command {
  return new Command('pii')
    .description('scan a table for PII (emails, phones, cards, national ids, IPs, names, addresses)')
    .argument('<table>')
    .option('--json', 'print [{"column","kind","share","suggestion"}]')
    .action(async (table: string, _options: unknown, command: Command) => {
      await withPlatform(command, async (platform, globals) => {
        const findings = await platform.security.scanPii(table);
        if (globals.json) printJson(findings);
        else if (findings.length === 0) printLine(`no PII found in ${table}`);
        else
          printLine(
            formatTable(
              ['column', 'kind', 'share', 'mask', 'encrypt', 'note'],
              findings.map((f) => ({ column: f.column, kind: f.kind, share: f.share, ...f.suggestion })),
            ),
          );
      });
    });
}

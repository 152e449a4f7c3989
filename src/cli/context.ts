import type { Command } from 'commander';
import { silentLogger, type Logger } from '../core/logger.js';
import { openPlatform, type Platform } from '../platform.js';
import { cliIdentity } from '../security/identity.js';
import { reportError } from './output.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
}

/**
 * Runs a command body against an opened platform and turns any failure into a message on stderr
 * and a non-zero exit code; the workspace is always closed.
 */
export async function withPlatform(
  command: Command,
  body: (platform: Platform, options: GlobalOptions) => Promise<void>,
  logger: Logger = silentLogger,
): Promise<void> {
  const options = command.optsWithGlobals<GlobalOptions>();
  let platform: Platform | undefined;
  try {
    platform = await openPlatform({ home: options.home, logger });
    await body(platform, options);
    await auditCommand(platform, command, 'ok');
  } catch (error) {
    if (platform) await auditCommand(platform, command, 'failed').catch(() => undefined);
    process.exitCode = reportError(error, options.json === true);
  } finally {
    platform?.close();
  }
}

/** Credentials inside connection URLs (postgres://user:secret@host) never reach the audit log. */
function scrub(arg: string): string {
  return arg.replace(/(\/\/[^/:@\s]+:)[^@\s]+@/g, '$1***@');
}

/** The CLI acts as the local admin; each command is recorded in the audit log as `cli:<os user>`. */
async function auditCommand(platform: Platform, command: Command, outcome: 'ok' | 'failed'): Promise<void> {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  await platform.security.record(cliIdentity(), `cli:${names.join(' ')}`, command.args.map(scrub).join(' '), {
    outcome,
  });
}

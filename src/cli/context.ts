import type { Command } from 'commander';
import { silentLogger, type Logger } from '../core/logger.js';
import { openPlatform, type Platform } from '../platform.js';
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
  } catch (error) {
    process.exitCode = reportError(error, options.json === true);
  } finally {
    platform?.close();
  }
}

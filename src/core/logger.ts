import { pino, type Logger as PinoLogger } from 'pino';

/** The logging surface library code may use; the composition root decides where it goes. */
export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

export function createLogger(options: { level?: string } = {}): Logger {
  return pino({ level: options.level ?? process.env.CAIRN_LOG_LEVEL ?? 'info' });
}

export const silentLogger: Logger = pino({ level: 'silent' });

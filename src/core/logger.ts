import { pino, type Logger as PinoLogger } from 'pino';

/** The logging surface library code may use; the composition root decides where it goes. */
export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

/** A request URL with credential-bearing query values (login tokens, keys) blanked out. */
export function scrubUrl(url: string): string {
  return url.replace(/([?&](?:token|key|api_key|access_token|password)=)[^&#]*/gi, '$1[redacted]');
}

/**
 * No secrets in logs: requests are logged as method and scrubbed URL only (never headers, so no
 * Authorization or Cookie), and any logged object's key, token, password or secret field is blanked.
 */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino({
    level: options.level ?? process.env.CAIRN_LOG_LEVEL ?? 'info',
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string }) => ({
        method: req.method,
        url: scrubUrl(req.url ?? ''),
        remoteAddress: req.ip,
      }),
    },
    redact: {
      paths: [
        'key',
        'token',
        'password',
        'secret',
        '*.key',
        '*.token',
        '*.password',
        '*.secret',
        'headers.authorization',
        'headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });

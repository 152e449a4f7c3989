import { Command } from 'commander';
import { once } from 'node:events';
import { resolvePort } from '../../core/config.js';
import { CairnError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { trainDemoModels } from '../../demo-models.js';
import { loadDemoData } from '../../demo.js';
import type { Platform } from '../../platform.js';
import { cliIdentity, type Identity } from '../../security/identity.js';
import { withPlatform } from '../context.js';
import { printJson } from '../output.js';

interface ServeOptions {
  port?: string;
  host: string;
  demo?: boolean;
  predictCache?: string;
  threads?: string;
  tlsCert?: string;
  tlsKey?: string;
  rateLimit?: string;
}

function serveAction(withDemo: boolean) {
  return async (options: ServeOptions, command: Command) => {
    const logger = createLogger({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });
    await withPlatform(
      command,
      async (platform, globals) => {
        if (withDemo && options.demo !== false) {
          for (const report of await loadDemoData(platform.db)) {
            process.stderr.write(
              `demo: loaded ${report.table} (${report.accepted.toLocaleString('en')} rows)\n`,
            );
          }
          for (const report of await trainDemoModels(platform.db, platform.workspace.artifacts)) {
            process.stderr.write(
              `demo: trained ${report.model} v${report.version} (${report.algorithm}, ${report.seconds.toFixed(1)} s)\n`,
            );
          }
        }
        // The HTTP stack loads only for the commands that serve, keeping the others' start-up short.
        const { buildServer } = await import('../../server/app.js');
        const tls = tlsOption(options);
        const app = await buildServer(platform, {
          predictCacheSeconds: numberOption('--predict-cache', options.predictCache),
          threads: numberOption('--threads', options.threads),
          rateLimit: numberOption('--rate-limit', options.rateLimit),
          tls,
        });
        const url = await app.listen({ port: resolvePort(options.port), host: options.host });
        const login = withDemo ? await bootstrapLogin(platform, url) : null;
        if (globals.json) printJson({ url, home: platform.home, ...login });
        else {
          process.stderr.write(
            `Cairn is serving ${platform.home} at ${url}  (API spec: ${url}/openapi.json)\n`,
          );
          if (login?.adminKey)
            process.stderr.write(
              `admin API key (shown this once; keep it): ${login.adminKey}\n` +
                `  use it as: curl -H "Authorization: Bearer ${login.adminKey}" ${url}/v1/tables\n`,
            );
          if (login)
            process.stderr.write(`dashboard login link (works once, for 15 minutes): ${login.loginUrl}\n`);
        }
        await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
        await app.close();
      },
      logger,
    );
  };
}

/**
 * `cairn up` creates an admin key on the workspace's first start (shown once) and prints a one-time
 * login link each start, as Jupyter does; the link opens a dashboard session cookie.
 */
async function bootstrapLogin(
  platform: Platform,
  url: string,
): Promise<{ adminKey?: string; loginUrl: string }> {
  const security = platform.security;
  let adminKey: string | undefined;
  let identity: Identity = cliIdentity();
  if ((await security.keys.count()) === 0) {
    const created = await security.createKey(identity, { role: 'admin', name: 'bootstrap (cairn up)' });
    adminKey = created.key;
    identity = { actor: `key:${created.id}`, role: 'admin', via: 'key', keyId: created.id };
  }
  const token = await security.sessions.loginToken(identity);
  await security.record(cliIdentity(), 'login:link', identity.actor);
  return { adminKey, loginUrl: `${url}/v1/auth/login?token=${token}` };
}

function tlsOption(options: ServeOptions): { cert: string; key: string } | undefined {
  const cert = options.tlsCert ?? process.env.CAIRN_TLS_CERT;
  const key = options.tlsKey ?? process.env.CAIRN_TLS_KEY;
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new CairnError(
      'INVALID_ARGUMENT',
      'TLS needs both a certificate and a key (--tls-cert and --tls-key)',
    );
  return { cert, key };
}

function numberOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new CairnError('INVALID_ARGUMENT', `${flag} must be a number ≥ 0, got '${value}'`);
  return n;
}

/** The listening options both serving commands share. */
function listening(command: Command): Command {
  return command
    .option('-p, --port <port>', 'port (default: CAIRN_PORT or 7070; 0 picks a free one)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print {"url","home"} once listening')
    .option(
      '--predict-cache <seconds>',
      'cache identical prediction requests per model version (default: off)',
    )
    .option('--threads <n>', 'threads for large prediction batches (default: all cores)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS only (default: CAIRN_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert (default: CAIRN_TLS_KEY)')
    .option('--rate-limit <n>', 'requests per minute per API key or session (default: 600000)');
}

export function serveCommand(): Command {
  return listening(new Command('serve').description('start the HTTP API on the workspace')).action(
    serveAction(false),
  );
}

export function upCommand(): Command {
  return listening(
    new Command('up').description('start Cairn: load the demo data on first start, then serve the API'),
  )
    .option('--no-demo', 'do not load the demo datasets')
    .action(serveAction(true));
}

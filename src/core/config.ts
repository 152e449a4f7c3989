import path from 'node:path';

export const DEFAULT_PORT = 7070;

/** Where the workspace lives: an explicit folder, else CAIRN_HOME, else ./.cairn under the working directory. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(explicit ?? env.CAIRN_HOME ?? '.cairn');
}

export function resolvePort(explicit?: string | number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = explicit ?? env.CAIRN_PORT ?? DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port '${String(raw)}' is not a whole number from 0 to 65535`);
  }
  return port;
}

import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const CAIRN = path.resolve(import.meta.dirname, '../bin/cairn.js');

/** `cairn serve` on workspace `home` in its own process; resolves with its URL and a stop function. */
export async function startCairnServer(
  home: string,
  extraArgs: string[] = [],
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [CAIRN, '--home', home, 'serve', '--port', '0', '--json', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CAIRN_LOG_LEVEL: 'error' },
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`cairn serve exited with ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

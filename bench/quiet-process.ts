import { spawn } from 'node:child_process';

const FLAG = '--no-memory-reducer';

/**
 * Runs the calling benchmark again in a child with V8's memory reducer off, and exits with its code;
 * returns at once in that child. An HTTP benchmark's own process mostly waits while the server is
 * measured, and a waiting process is what the reducer shrinks: its marking threads took CPU from the
 * server and the load generator a second or two into runs (seen in a whole-machine profile), and the
 * stall was charged to the server's latency.
 */
export async function withoutMemoryReducer(): Promise<void> {
  if (process.execArgv.includes(FLAG)) return;
  const child = spawn(process.execPath, [FLAG, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  // A Ctrl-C reaches both (one process group); a SIGTERM to this process alone is passed on.
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.exit(code ?? 1);
}

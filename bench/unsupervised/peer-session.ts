// A long-lived scikit-learn process for the unsupervised benchmarks: one JSON request per line on
// its stdin, one JSON answer per line on its stdout. Keeping Python (and its imports) alive lets a
// benchmark interleave Cairn's runs with scikit-learn's, request by request, so both sides meet the
// same machine load; the Python side (peers/peer_server.py) times each request itself.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

/** What every answer carries besides its task's figures: wall and process-CPU seconds of the timed call. */
export interface PeerTiming {
  seconds: number;
  cpu_seconds: number;
}

export class PeerSession {
  private readonly lines: AsyncIterator<string>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    reader: Interface,
    private readonly errors: string[],
  ) {
    this.lines = reader[Symbol.asyncIterator]();
  }

  /** Starts `peers/<script>` (relative to this folder) with Debian's Python. */
  static start(script: string): PeerSession {
    const file = fileURLToPath(new URL(`./peers/${script}`, import.meta.url));
    const child = spawn(PYTHON, [file], { stdio: ['pipe', 'pipe', 'pipe'] });
    const errors: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    return new PeerSession(child, createInterface({ input: child.stdout }), errors);
  }

  /** Sends one request and waits for its answer. */
  async call<T extends PeerTiming>(request: Record<string, unknown>): Promise<T> {
    this.child.stdin.write(JSON.stringify(request) + '\n');
    const line: IteratorResult<string> = await this.lines.next();
    if (line.done === true) throw new Error(`scikit-learn peer exited: ${this.errors.join('')}`);
    const answer = JSON.parse(line.value) as T & { error?: string };
    if (answer.error !== undefined) throw new Error(`scikit-learn peer: ${answer.error}`);
    return answer;
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Wall and process-CPU seconds of one synchronous call. */
export function timed<T>(run: () => T): { value: T; seconds: number; cpu_seconds: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6 };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** One fixed-rate load run as the HTTP benchmarks report it. */
export interface RateRun {
  target: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors and non-2xx responses. */
  failed: number;
  /** p99 of how late the load generator itself sent requests (its own event loop's delay), ms. */
  sendLagP99: number;
}

/** Requests in the first second are sent but not measured: the server's JIT is still warming. */
const WARM_UP_MS = 1000;
/** Latencies are reported in milliseconds to this many decimals. */
const DECIMALS = 2;
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * POSTs `bodies` in turn to `url` + `path` at `rate` requests/s for `seconds`, open loop: request i is
 * due at start + i / rate whatever the earlier ones are doing, and its latency runs from that due time
 * to the end of its response (as wrk2 measures), so a stall in the server or the client is counted
 * against every request it delays rather than hidden. Autocannon's rate mode sends each second's quota
 * back to back and then pads latencies with synthetic samples, which measures bursts, not a steady rate.
 *
 * Requests are prepared bytes written to keep-alive sockets, one request in flight per socket (a new
 * socket opens when all are busy), and responses are read only as far as their status and length:
 * the generator shares the two cores with the server, so it must cost as little as it can.
 *
 * The generator runs in a process of its own, holding nothing but the requests, collected before
 * the clock starts, with V8's memory reducer off: in the benchmark's process (a trained model, simulated data, a scoring run behind
 * it) the reducer marked and compacted the heap about eight seconds into every run, and the
 * client's 15–60 ms stall was charged to the server by the open-loop accounting (a whole-machine
 * profile showed the server idle and the generator's GC threads busy).
 */
export function loadAtRate(
  url: string,
  path: string,
  bodies: string[],
  key: string | undefined,
  rate: number,
  seconds: number,
): Promise<RateRun> {
  const child = (generator ??= fork(fileURLToPath(import.meta.url), [GENERATOR], {
    execArgv: ['--no-memory-reducer', '--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  child.ref();
  child.channel?.ref();
  return new Promise<RateRun>((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`the load generator exited with ${code}`));
    child.once('exit', exited);
    child.once('message', (run) => {
      child.off('exit', exited);
      resolve(run as RateRun);
    });
    child.send({ url, path, bodies, key, rate, seconds } satisfies LoadRequest);
  }).finally(() => {
    // Between runs the idle generator must not keep the benchmark alive.
    child.unref();
    child.channel?.unref();
  });
}

/** One generator serves every run of a benchmark, so its code is warm from the first. */
let generator: ChildProcess | undefined;

const GENERATOR = 'load-generator';

interface LoadRequest {
  url: string;
  path: string;
  bodies: string[];
  key: string | undefined;
  rate: number;
  seconds: number;
}

async function generateLoad({ url, path, bodies, key, rate, seconds }: LoadRequest): Promise<RateRun> {
  const { hostname, port } = new URL(url);
  const requests = bodies.map((body) =>
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\ncontent-type: application/json\r\n` +
        (key === undefined ? '' : `authorization: Bearer ${key}\r\n`) +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );
  const total = Math.round(rate * seconds);
  // What starting and receiving the requests left behind is collected now, not during the run.
  globalThis.gc?.();
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  const measured = new Uint8Array(total);
  const idle: Connection[] = [];
  const all: Connection[] = [];
  let failed = 0;
  let sent = 0;
  let finished = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const finish = (i: number, due: number, ok: boolean) => {
      if (!ok) failed += 1;
      else if (due - start >= WARM_UP_MS) {
        latencies[i] = performance.now() - due;
        measured[i] = 1;
      }
      finished += 1;
      if (finished === total) resolve();
    };
    const send = (i: number, due: number): void => {
      lags[i] = performance.now() - due;
      let connection = idle.pop();
      if (connection === undefined) {
        connection = new Connection(hostname, Number(port), (c) => idle.push(c));
        all.push(connection);
      }
      connection.send(requests[i % requests.length], (ok) => finish(i, due, ok));
    };
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
      for (; sent < due; sent += 1) send(sent, start + (sent * 1000) / rate);
      // A 1 ms timer rather than setImmediate: a busy client would take a core from the server.
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  for (const connection of all) connection.close();

  const elapsedSeconds = (performance.now() - start) / 1000;
  const quantile = (sorted: Float64Array, q: number): number =>
    sorted.length === 0 ? NaN : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  const kept = latencies.filter((_, i) => measured[i] === 1).sort();
  return {
    target: rate,
    achieved: Math.round(total / elapsedSeconds),
    p50: quantile(kept, 0.5),
    p99: quantile(kept, 0.99),
    max: kept.length === 0 ? NaN : round(kept[kept.length - 1]),
    failed,
    sendLagP99: quantile(lags.filter((_, i) => measured[i] === 1).sort(), 0.99),
  };
}

/** A keep-alive socket with at most one request in flight; reads each response's status and length. */
class Connection {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private done: ((ok: boolean) => void) | null = null;

  constructor(host: string, port: number, onIdle: (connection: Connection) => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      const headerEnd = this.pending.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      const head = this.pending.toString('latin1', 0, headerEnd);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.pending.length < headerEnd + 4 + length) return;
      const ok = head.startsWith('HTTP/1.1 2');
      this.pending = this.pending.subarray(headerEnd + 4 + length);
      const done = this.done!;
      this.done = null;
      onIdle(this);
      done(ok);
    });
    this.socket.on('error', () => this.fail());
    this.socket.on('close', () => this.fail());
  }

  send(request: Buffer, done: (ok: boolean) => void): void {
    this.done = done;
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(): void {
    const done = this.done;
    this.done = null;
    done?.(false);
  }
}

function round(ms: number): number {
  return Number(ms.toFixed(DECIMALS));
}

// The child that loadAtRate forks: each message is a run, answered with its result; it ends with
// its parent (the IPC channel closes).
if (process.argv[2] === GENERATOR) {
  process.on('message', (request: LoadRequest) => {
    void generateLoad(request).then((run) => process.send!(run));
  });
}

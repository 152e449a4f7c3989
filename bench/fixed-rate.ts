import http from 'node:http';

/** One fixed-rate load run as the HTTP benchmarks report it. */
export interface RateRun {
  target: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors and non-2xx responses. */
  failed: number;
}

/** Requests in the first second are sent but not measured: the server's JIT is still warming. */
const WARM_UP_MS = 1000;
/** Latencies are reported in milliseconds to this many decimals. */
const DECIMALS = 2;

/**
 * POSTs `bodies` in turn to `url` + `path` at `rate` requests/s for `seconds`, open loop: request i is
 * due at start + i / rate whatever the earlier ones are doing, and its latency runs from that due time
 * to the end of its response (as wrk2 measures), so a stall in the server or the client is counted
 * against every request it delays rather than hidden. Autocannon's rate mode sends each second's quota
 * back to back and then pads latencies with synthetic samples, which measures bursts, not a steady rate.
 */
export async function loadAtRate(
  url: string,
  path: string,
  bodies: string[],
  key: string | undefined,
  rate: number,
  seconds: number,
): Promise<RateRun> {
  const target = new URL(path, url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const measured = new Uint8Array(total);
  let failed = 0;
  let sent = 0;
  let finished = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const send = (i: number, due: number): void => {
      const body = bodies[i % bodies.length];
      const request = http.request(target, {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      });
      const done = (ok: boolean): void => {
        if (!ok) failed += 1;
        else if (due - start >= WARM_UP_MS) {
          latencies[i] = performance.now() - due;
          measured[i] = 1;
        }
        finished += 1;
        if (finished === total) resolve();
      };
      request.once('response', (response) => {
        response.resume();
        response.once('end', () => done(response.statusCode !== undefined && response.statusCode < 300));
      });
      request.once('error', () => done(false));
      request.end(body);
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
  agent.destroy();

  const elapsedSeconds = (performance.now() - start) / 1000;
  const kept = latencies.filter((_, i) => measured[i] === 1).sort();
  const at = (q: number): number =>
    kept.length === 0 ? NaN : round(kept[Math.min(kept.length - 1, Math.ceil(q * kept.length) - 1)]);
  return {
    target: rate,
    achieved: Math.round(total / elapsedSeconds),
    p50: at(0.5),
    p99: at(0.99),
    max: kept.length === 0 ? NaN : round(kept[kept.length - 1]),
    failed,
  };
}

function round(ms: number): number {
  return Number(ms.toFixed(DECIMALS));
}

import autocannon from 'autocannon';

/** One fixed-rate load run as the HTTP benchmarks report it. */
export interface RateRun {
  target: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors, timeouts and non-2xx responses. */
  failed: number;
}

/**
 * POSTs `bodies` in turn to `url` + `path` at `rate` requests/s for `seconds` (autocannon, enough
 * connections that the rate, not the connections, sets the pace).
 */
export async function loadAtRate(
  url: string,
  path: string,
  bodies: string[],
  key: string | undefined,
  rate: number,
  seconds: number,
): Promise<RateRun> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const result = await autocannon({
    url,
    connections: Math.max(8, Math.ceil(rate / 100)),
    duration: seconds,
    overallRate: rate,
    requests: bodies.map((body) => ({ method: 'POST' as const, path, headers, body })),
  });
  return {
    target: rate,
    achieved: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

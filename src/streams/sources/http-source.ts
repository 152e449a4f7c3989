import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StreamMessage, StreamSource } from '../source.js';

export interface HttpSourceOptions {
  port: number;
  host?: string;
  path?: string;
  /** Largest body accepted, in bytes. Default 10 MiB. */
  maxBytes?: number;
}

/**
 * HTTP POST: a body is one JSON event, a JSON array of events, or NDJSON. The response (202 with
 * the count) is sent once every event of the body is stored, so a client that gets no answer
 * sends the body again — at-least-once, with idempotency keys absorbing the repeats.
 */
export class HttpSource implements StreamSource {
  readonly kind = 'http';
  private server: Server | undefined;

  constructor(private readonly options: HttpSourceOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  async start(onMessage: (message: StreamMessage) => void): Promise<void> {
    const path = this.options.path ?? '/events';
    const maxBytes = this.options.maxBytes ?? 10 * 1024 * 1024;
    this.server = createServer((request, response) => {
      if (request.method !== 'POST' || request.url?.split('?')[0] !== path) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `POST events to ${path}` } }));
        return;
      }
      readBody(request, maxBytes)
        .then(async (body) => {
          const events = splitEvents(body);
          await Promise.all(
            events.map((data) => new Promise<void>((resolve) => onMessage({ data, ack: () => resolve() }))),
          );
          response.writeHead(202, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ accepted: events.length }));
        })
        .catch((error: Error) => {
          response.writeHead(413, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'PAYLOAD_TOO_LARGE', message: error.message } }));
        });
    });
    const server = this.server;
    await new Promise<void>((resolve) =>
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', resolve),
    );
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error(`the body is larger than ${maxBytes} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** One message per event: array elements, NDJSON lines, or the whole body (malformed bodies pass whole, to be dead-lettered). */
export function splitEvents(body: Buffer): Uint8Array[] {
  const text = body.toString('utf8').trim();
  if (text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed.map((e) => Buffer.from(JSON.stringify(e)));
    } catch {
      return [body];
    }
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 1 ? lines.map((l) => Buffer.from(l)) : [body];
}

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CairnError } from '../core/errors.js';
import type { FileFormat } from '../warehouse/ingest/types.js';

const FORMAT_BY_CONTENT_TYPE: Record<string, FileFormat> = {
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'text/plain': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/jsonlines': 'ndjson',
  'application/vnd.apache.parquet': 'parquet',
  'application/x-parquet': 'parquet',
};

export const UPLOAD_CONTENT_TYPES = Object.keys(FORMAT_BY_CONTENT_TYPE);

/** The body's format: the `format` parameter if given, else its Content-Type. */
export function uploadFormat(contentType: string | undefined, format: FileFormat | undefined): FileFormat {
  if (format) return format;
  const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const known = FORMAT_BY_CONTENT_TYPE[base];
  if (known) return known;
  throw new CairnError(
    'UNSUPPORTED_FORMAT',
    `cannot tell the format of a '${base || 'untyped'}' body; send Content-Type ${UPLOAD_CONTENT_TYPES.join(', ')}, or add ?format=csv|json|ndjson|parquet`,
  );
}

export interface SavedUpload {
  file: string;
  bytes: number;
  remove(): Promise<void>;
}

/**
 * Streams a request body to a temporary file, refusing it past `maxBytes`. An oversized body is
 * read to its end but not kept, so the client receives the 413 instead of a reset connection.
 * Gzip bodies keep a `.gz` name so DuckDB decompresses them.
 */
export async function saveUpload(body: Readable, format: FileFormat, maxBytes: number): Promise<SavedUpload> {
  const base = path.join(os.tmpdir(), `cairn-upload-${randomUUID()}.${format}`);
  let bytes = 0;
  let gzip = false;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (bytes === 0) gzip = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
      bytes += chunk.length;
      done(null, bytes > maxBytes ? undefined : chunk);
    },
  });
  try {
    await pipeline(body, limiter, createWriteStream(base));
  } catch (error) {
    await rm(base, { force: true });
    throw error;
  }
  if (bytes > maxBytes || bytes === 0) {
    await rm(base, { force: true });
    throw bytes === 0
      ? new CairnError('INVALID_ARGUMENT', 'the request body is empty; send the file to ingest as the body')
      : tooLarge(maxBytes);
  }
  let file = base;
  if (gzip && format !== 'parquet') {
    file = `${base}.gz`;
    await rename(base, file);
  }
  return { file, bytes, remove: () => rm(file, { force: true }) };
}

export function tooLarge(maxBytes: number): CairnError {
  return new CairnError('PAYLOAD_TOO_LARGE', `the upload is larger than the limit of ${maxBytes} bytes`);
}

import pc from 'picocolors';
import { errorMessage, isCairnError } from '../core/errors.js';
import type { JsonRow } from '../warehouse/values.js';

/** Writes exactly one JSON document to stdout, as every `--json` command promises. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

// Colour only on a terminal: picocolors also turns it on under CI=true, where output goes to logs and pipes.
const stdoutColors = pc.createColors(process.stdout.isTTY === true && !process.env.NO_COLOR);
const stderrColors = pc.createColors(process.stderr.isTTY === true && !process.env.NO_COLOR);

/** A warning a person should read, on stderr so it never mixes with output meant for a pipe. */
export function printWarning(text: string): void {
  process.stderr.write(`${stderrColors.yellow('warning:')} ${text}
`);
}

// Output piped into `head` and the like: a closed pipe ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

const MAX_CELL = 40;

/** An aligned text table for a terminal; long cells are cut with an ellipsis. */
export function formatTable(columns: string[], rows: readonly object[]): string {
  const records = rows as readonly Record<string, unknown>[];
  const cells = records.map((row) =>
    columns.map((c) => {
      const text = cell(row[c]).replaceAll('\n', ' ');
      return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map(
    (c) => records.length > 0 && records.every((r) => r[c] === null || typeof r[c] === 'number'),
  );
  const pad = (text: string, i: number) => (numeric[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const header = columns.map((c, i) => stdoutColors.bold(pad(c, i))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [header, rule, ...cells.map((r) => r.map(pad).join('  '))].join('\n');
}

function csvField(value: unknown): string {
  const text = cell(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatCsv(columns: string[], rows: JsonRow[]): string {
  return [
    columns.map(csvField).join(','),
    ...rows.map((row) => columns.map((c) => csvField(row[c])).join(',')),
  ].join('\n');
}

/** Reports a failure on stderr (as JSON with --json) and returns the exit code: 1 for bad input, 2 for a fault. */
export function reportError(error: unknown, json: boolean): number {
  const code = isCairnError(error) ? error.code : 'INTERNAL';
  const message = errorMessage(error);
  if (json) process.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`${stderrColors.red('error')} ${stderrColors.dim(`[${code}]`)} ${message}\n`);
  if (!isCairnError(error) && process.env.CAIRN_DEBUG)
    process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  return isCairnError(error) && error.status < 500 ? 1 : 2;
}

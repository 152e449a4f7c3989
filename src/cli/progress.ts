import cliProgress from 'cli-progress';
import type { IngestProgress } from '../warehouse/ingest/types.js';

/** Shown only once an operation has run this long, so quick commands stay quiet. */
const SHOW_AFTER_MS = 1500;

export interface ProgressReporter {
  update(progress: IngestProgress): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (pipes, CI, --json). */
export function createProgress(label: string, enabled = process.stderr.isTTY === true): ProgressReporter {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(progress) {
      if (!bar && Date.now() - started < SHOW_AFTER_MS) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: `${label} [{bar}] {percentage}% {records} | {duration_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(100, 0, { records: '' });
      }
      const records =
        progress.records === undefined ? '' : `${progress.records.toLocaleString('en')} records`;
      bar.update(progress.fraction === undefined ? 0 : Math.round(progress.fraction * 100), { records });
    },
    stop() {
      bar?.stop();
    },
  };
}

import { CairnError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/** Parses a duration such as `90s`, `5m`, `1h`, `7d` into milliseconds; `what` names the field in errors. */
export function parseDuration(text: string, what: string): number {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what} '${text}' is not a duration; use a positive number and a unit ms, s, m, h, d or w (e.g. 1h, 7d)`,
    );
  }
  return Math.round(ms);
}

/** The shortest exact spelling of a duration in milliseconds (`3600000` → `1h`). */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

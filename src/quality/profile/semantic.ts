import type { ColumnKind, SemanticType } from './types.js';

/** Share of sampled values that must fit a pattern for the column to be given that meaning. */
export const SEMANTIC_THRESHOLD = 0.9;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const URL = /^(?:(?:https?|ftp):\/\/|www\.)[^\s]+$/i;
const PHONE = /^\+?[\d\s().\-/]{7,24}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const DMY_DATE = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;
const CARD = /^\d(?:[ -]?\d){12,18}$/;

/** The Luhn checksum that payment card numbers carry in their last digit. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    const code = digits.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return false;
    let d = code;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function isCard(text: string): boolean {
  return CARD.test(text) && passesLuhn(text.replace(/[ -]/g, ''));
}

function isPhone(text: string): boolean {
  if (!PHONE.test(text)) return false;
  const digits = text.replace(/\D/g, '').length;
  // A bare run of digits is as likely an amount or a code; a phone number shows + or separators.
  return digits >= 7 && digits <= 15 && /[+\s().\-/]/.test(text);
}

function isDate(text: string): boolean {
  return ISO_DATE.test(text) || DMY_DATE.test(text);
}

function isFreeText(text: string): boolean {
  return text.length >= 30 && text.trim().split(/\s+/).length >= 5;
}

const TESTS: [SemanticType, (text: string) => boolean][] = [
  ['email', (t) => EMAIL.test(t)],
  ['url', (t) => URL.test(t)],
  ['card', isCard],
  ['phone', isPhone],
  ['date', isDate],
  ['free_text', isFreeText],
];

export interface SemanticInput {
  kind: ColumnKind;
  type: string;
  /** Sampled non-null values, as text. */
  sample: string[];
  /** Every non-null value is distinct (over the whole column, not the sample). */
  allDistinct: boolean;
  nonNull: number;
}

/** The meaning of a column's values, judged on a sample; null when none fits. */
export function detectSemantic(input: SemanticInput): {
  semantic: SemanticType | null;
  share: number | null;
} {
  const { kind, sample } = input;
  if (kind === 'temporal') return { semantic: 'date', share: 1 };
  if (sample.length === 0 || kind === 'boolean') return { semantic: null, share: null };
  if (kind === 'text' || (kind === 'numeric' && /INT/.test(input.type))) {
    for (const [semantic, test] of TESTS) {
      if (kind === 'numeric' && semantic !== 'card') continue;
      let fit = 0;
      for (const value of sample) if (test(value.trim())) fit++;
      const share = fit / sample.length;
      if (share >= SEMANTIC_THRESHOLD) return { semantic, share };
    }
  }
  // Identifiers: every value distinct, in a column long enough for that to mean something.
  const compact = kind === 'numeric' || sample.every((v) => v.length <= 64 && !/\s/.test(v));
  if (
    input.allDistinct &&
    input.nonNull >= 20 &&
    compact &&
    (kind === 'text' || /INT|UUID/.test(input.type))
  ) {
    return { semantic: 'identifier', share: 1 };
  }
  return { semantic: null, share: null };
}

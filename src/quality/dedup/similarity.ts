import { jaroWinkler } from './jaro-winkler.js';

const HAS_DIGIT = /\d/;

/** Words with digits must agree (house numbers, sizes, pack counts): different numbers, different things. */
function numbersAgree(a: string[], b: string[]): boolean {
  const na = a.filter((t) => HAS_DIGIT.test(t)).sort();
  const nb = b.filter((t) => HAS_DIGIT.test(t)).sort();
  return na.length === nb.length && na.every((t, i) => t === nb[i]);
}

/** Mean over `from`'s words of the best Jaro–Winkler score against any of `to`'s words. */
function bestMatchMean(from: string[], to: string[]): number {
  let sum = 0;
  for (const word of from) {
    // A lone letter ("letter r", "size m") is a code, not a word to be near.
    if (word.length === 1) {
      sum += to.includes(word) ? 1 : 0;
      continue;
    }
    let best = 0;
    for (const other of to) {
      const s = jaroWinkler(word, other);
      if (s > best) best = s;
      if (best === 1) break;
    }
    sum += best;
  }
  return sum / from.length;
}

/**
 * Similarity of two normalised values, 0..1. Single words compare by Jaro–Winkler; longer values
 * word by word (Monge–Elkan, averaged both ways), so word order does not matter and a long shared
 * prefix ("red retrospot mug" / "red retrospot plate") does not pass for a typo. Values whose
 * numbers differ score at most 0.5.
 */
export function valueSimilarity(a: string, b: string, wa = a.split(' '), wb = b.split(' ')): number {
  if (a === b) return 1;
  if (!numbersAgree(wa, wb)) return Math.min(0.5, jaroWinkler(a, b));
  if (wa.length === 1 && wb.length === 1) return jaroWinkler(a, b);
  return (bestMatchMean(wa, wb) + bestMatchMean(wb, wa)) / 2;
}

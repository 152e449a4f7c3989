/** Winkler's prefix scale: how much a shared prefix (up to 4 characters) lifts the Jaro score. */
export const WINKLER_SCALE = 0.1;

/**
 * Jaro–Winkler similarity of two strings, 0 (nothing in common) to 1 (equal). Characters match when
 * equal and no further apart than half the longer length minus one; half the out-of-order matches
 * count as transpositions. Works on UTF-16 code units.
 */
export function jaroWinkler(a: string, b: string, matchedA?: Uint8Array, matchedB?: Uint8Array): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  const usedA = matchedA && matchedA.length >= la ? matchedA.fill(0, 0, la) : new Uint8Array(la);
  const usedB = matchedB && matchedB.length >= lb ? matchedB.fill(0, 0, lb) : new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    const ch = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (usedB[j] === 0 && b.charCodeAt(j) === ch) {
        usedA[i] = 1;
        usedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  let j = 0;
  for (let i = 0; i < la; i++) {
    if (usedA[i] === 0) continue;
    while (usedB[j] === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) outOfOrder++;
    j++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - outOfOrder / 2) / m) / 3;
  let prefix = 0;
  const limit = Math.min(4, la, lb);
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * WINKLER_SCALE * (1 - jaro);
}

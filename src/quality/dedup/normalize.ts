/**
 * The form fuzzy matching compares: Unicode-decomposed with accents dropped, lower case, every run
 * of punctuation or spaces turned into one space, trimmed. "  Zoë O'Brien-Smith " → "zoe o brien smith".
 */
export function normalizeText(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a normalised value in sorted order, so "smith john" and "john smith" compare equal. */
export function sortTokens(normalized: string): string {
  return normalized.split(' ').sort().join(' ');
}

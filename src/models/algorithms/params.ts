import { CairnError } from '../../core/errors.js';

/** snake_case as users write params (XGBoost, scikit-learn), to the learners' camelCase. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Translates spec params for a learner: each key is a snake_case learner param or one of
 * `aliases` (e.g. reg_lambda → lambda); anything else is refused with the list of known names.
 */
export function translateParams(
  algorithm: string,
  params: Record<string, unknown>,
  known: readonly string[],
  aliases: Record<string, string> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = aliases[key] ?? camelCase(key);
    if (!known.includes(name)) {
      const names = [...known.map(snakeCase), ...Object.keys(aliases)].sort();
      throw new CairnError(
        'INVALID_ARGUMENT',
        `params.${key} is not a parameter of ${algorithm}; it takes ${names.join(', ')}`,
      );
    }
    out[name] = value;
  }
  return out;
}

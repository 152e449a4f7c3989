import { CairnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { byFrequency, categoryView, countCategories, slotTable } from './categories.js';
import { JsonReader } from './encoder-json.js';
import type { CategoricalEncoder, EncodedColumns } from './encoders.js';

export interface OneHotOptions {
  /** Keep at most this many categories, the most frequent; the rest share the "other" column. */
  maxCategories?: number;
  /** Categories with fewer rows than this (a count >= 1, or a share of rows in (0, 1)) go to "other". */
  minFrequency?: number;
  /** Where a category never seen in training goes: all zeros (default) or the "other" column. */
  unseen?: 'zeros' | 'other';
}

export interface OneHotState {
  column: string;
  /** Categories with their own column, in output order (most frequent first, ties lexical). */
  categories: readonly string[];
  /** Categories seen in training but sent to "other" by maxCategories / minFrequency. */
  infrequent: readonly string[];
  unseen: 'zeros' | 'other';
  /** Whether training had missing rows, and so a missing-indicator column. */
  missingIndicator: boolean;
}

/**
 * Learns the categories of a training column. Output columns, 0/1: one per kept category
 * ('col=value'), then 'col__other' when some category was folded away or unseen is 'other', then
 * 'col__missing' when training had missing rows. A missing row in new data sets 'col__missing', or
 * nothing when training had none.
 */
export function fitOneHot(col: Column, options: OneHotOptions = {}): OneHotEncoder {
  const { counts, missing } = countCategories(categoryView(col));
  const { maxCategories = Infinity, minFrequency = 1, unseen = 'zeros' } = options;
  if (!(maxCategories >= 1))
    throw invalid(col.name, `maxCategories is ${maxCategories}; expected at least 1`);
  if (!(minFrequency > 0))
    throw invalid(col.name, `minFrequency is ${minFrequency}; expected a count >= 1 or a share in (0, 1)`);
  if (unseen !== 'zeros' && unseen !== 'other')
    throw invalid(col.name, `unseen is '${String(unseen)}'; expected 'zeros' or 'other'`);
  const minCount = minFrequency < 1 ? minFrequency * col.length : minFrequency;
  const ranked = byFrequency(counts);
  const categories = ranked.filter((c) => counts.get(c)! >= minCount).slice(0, maxCategories);
  const kept = new Set(categories);
  return new OneHotEncoder({
    column: col.name,
    categories,
    infrequent: ranked.filter((c) => !kept.has(c)),
    unseen,
    missingIndicator: missing > 0,
  });
}

export class OneHotEncoder implements CategoricalEncoder {
  readonly kind = 'one-hot' as const;
  readonly column: string;
  readonly categories: readonly string[];
  readonly infrequent: readonly string[];
  readonly unseen: 'zeros' | 'other';
  readonly missingIndicator: boolean;
  /** Output column names, in order. */
  readonly names: readonly string[];
  private readonly slots: ReadonlyMap<string, number>;
  private readonly otherSlot: number;
  private readonly missingSlot: number;

  /** Use fitOneHot or OneHotEncoder.fromJSON. */
  constructor(state: OneHotState) {
    this.column = state.column;
    this.categories = Object.freeze([...state.categories]);
    this.infrequent = Object.freeze([...state.infrequent]);
    this.unseen = state.unseen;
    this.missingIndicator = state.missingIndicator;
    const hasOther = this.infrequent.length > 0 || this.unseen === 'other';
    const names = this.categories.map((c) => `${this.column}=${c}`);
    this.otherSlot = hasOther ? names.push(`${this.column}__other`) - 1 : -1;
    this.missingSlot = this.missingIndicator ? names.push(`${this.column}__missing`) - 1 : -1;
    this.names = Object.freeze(names);
    const slots = new Map<string, number>();
    this.categories.forEach((c, k) => slots.set(c, k));
    for (const c of this.infrequent) slots.set(c, this.otherSlot);
    this.slots = slots;
    Object.freeze(this);
  }

  /** 0/1 columns (names as `names`), one row per row of `col`. */
  transform(col: Column): EncodedColumns {
    const view = categoryView(col);
    const table = slotTable(view, this.slots, this.unseen === 'other' ? this.otherSlot : -1);
    const n = view.codes.length;
    const columns = this.names.map(() => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const code = view.codes[i];
      const slot = code < 0 ? this.missingSlot : table[code];
      if (slot >= 0) columns[slot][i] = 1;
    }
    return { columns, names: [...this.names] };
  }

  toJSON() {
    return {
      kind: this.kind,
      version: 1 as const,
      column: this.column,
      categories: [...this.categories],
      infrequent: [...this.infrequent],
      unseen: this.unseen,
      missingIndicator: this.missingIndicator,
    };
  }

  static fromJSON(json: unknown): OneHotEncoder {
    const r = new JsonReader('one-hot', json);
    return new OneHotEncoder({
      column: r.string('column'),
      categories: r.strings('categories'),
      infrequent: r.strings('infrequent'),
      unseen: r.oneOf('unseen', ['zeros', 'other'] as const),
      missingIndicator: r.boolean('missingIndicator'),
    });
  }
}

function invalid(column: string, why: string): CairnError {
  return new CairnError('INVALID_ARGUMENT', `one-hot encoding of column '${column}': ${why}`);
}

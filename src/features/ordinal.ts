import type { Column } from '../core/frame.js';
import { byFrequency, categoryView, countCategories, lexical, slotTable } from './categories.js';
import { JsonReader } from './encoder-json.js';
import type { CategoricalEncoder, EncodedColumns } from './encoders.js';

export interface OrdinalOptions {
  /** 'frequency' (default): code 0 is the most frequent category, ties lexical; 'lexical': code-unit order. */
  order?: 'frequency' | 'lexical';
}

/**
 * Learns a code 0..k-1 per training category. The output is one column named after the input,
 * holding the code as a number; missing and unseen categories are NaN. `categoryCount` (k) is what
 * FeatureMatrix.categoryCounts wants for this column, so tree learners split on it as a category.
 */
export function fitOrdinal(col: Column, options: OrdinalOptions = {}): OrdinalEncoder {
  const order = options.order ?? 'frequency';
  const { counts } = countCategories(categoryView(col));
  const categories = order === 'lexical' ? [...counts.keys()].sort(lexical) : byFrequency(counts);
  return new OrdinalEncoder({ column: col.name, categories, order });
}

export interface OrdinalState {
  column: string;
  /** Category of code c at index c. */
  categories: readonly string[];
  order: 'frequency' | 'lexical';
}

export class OrdinalEncoder implements CategoricalEncoder {
  readonly kind = 'ordinal' as const;
  readonly column: string;
  readonly categories: readonly string[];
  readonly order: 'frequency' | 'lexical';
  private readonly slots: ReadonlyMap<string, number>;

  /** Use fitOrdinal or OrdinalEncoder.fromJSON. */
  constructor(state: OrdinalState) {
    this.column = state.column;
    this.categories = Object.freeze([...state.categories]);
    this.order = state.order;
    this.slots = new Map(this.categories.map((c, k) => [c, k]));
    Object.freeze(this);
  }

  get categoryCount(): number {
    return this.categories.length;
  }

  transform(col: Column): EncodedColumns {
    const view = categoryView(col);
    const table = slotTable(view, this.slots, -1);
    const out = new Float64Array(view.codes.length);
    for (let i = 0; i < out.length; i++) {
      const code = view.codes[i];
      const slot = code < 0 ? -1 : table[code];
      out[i] = slot < 0 ? NaN : slot;
    }
    return { columns: [out], names: [this.column] };
  }

  toJSON() {
    return {
      kind: this.kind,
      version: 1 as const,
      column: this.column,
      categories: [...this.categories],
      order: this.order,
    };
  }

  static fromJSON(json: unknown): OrdinalEncoder {
    const r = new JsonReader('ordinal', json);
    return new OrdinalEncoder({
      column: r.string('column'),
      categories: r.strings('categories'),
      order: r.oneOf('order', ['frequency', 'lexical'] as const),
    });
  }
}

import { asText } from '../warehouse/values.js';
import type { ModelCard, TrainingColumn } from '../models/card.js';
import type { ReaderView } from './reader-view.js';

/**
 * A model card as the caller may see its training data: a feature read from a column the caller sees
 * masked keeps its missing share, loses its range and moments, and shows its top categories masked.
 */
export function maskModelCard(card: ModelCard, view: ReaderView): ModelCard {
  const columnOf = new Map(card.features.map((f) => [f.name, f.column]));
  const training = card.training.map((column): TrainingColumn => {
    const source = columnOf.get(column.feature) ?? column.feature;
    if (!view.hides(source)) return column;
    return {
      feature: column.feature,
      missing: column.missing,
      ...(column.top
        ? { top: column.top.map((t) => ({ value: asText(view.show(source, t.value)), share: t.share })) }
        : {}),
    };
  });
  return { ...card, training };
}

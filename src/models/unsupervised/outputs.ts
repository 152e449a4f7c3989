import { allValid, clearBit } from '../../core/bitmap.js';
import { isValid, stringAt, toFloat64, type Column, type Frame } from '../../core/frame.js';
import type { OutputSpec } from '../target.js';

/** An output value as an API returns it; a missing one (NaN) is left out of the record. */
export type OutputRecord = Record<string, string | number>;

function labelColumn(name: string, labels: string[], values: Float64Array): Column {
  const n = values.length;
  const codes = new Int32Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isInteger(v) && v >= 0 && v < labels.length) codes[i] = v;
    else {
      codes[i] = -1;
      valid ??= allValid(n);
      clearBit(valid, i);
    }
  }
  return { name, kind: 'string', length: n, codes, dictionary: labels, valid };
}

/** Output `c` of row-major rows × outputs.length values. */
function outputValues(scores: Float64Array, width: number, c: number): Float64Array {
  return Float64Array.from({ length: scores.length / width }, (_, r) => scores[r * width + c]);
}

/** The columns of an unsupervised prediction: cluster, x, y; anomaly_score, is_anomaly. */
export function outputColumns(outputs: OutputSpec[], scores: Float64Array): Column[] {
  return outputs.map((o, c) => {
    const values = outputValues(scores, outputs.length, c);
    if (o.type === 'label') return labelColumn(o.name, o.labels ?? [], values);
    if (o.type === 'integer') {
      return {
        name: o.name,
        kind: 'int32',
        length: values.length,
        values: Int32Array.from(values),
        valid: null,
      };
    }
    return { name: o.name, kind: 'float64', length: values.length, values, valid: null };
  });
}

/**
 * The input's own columns with their gaps filled: only cells missing in the input take the fill, so
 * an observed value — a category the model never saw included — is written back as it was.
 */
export function filledColumns(outputs: OutputSpec[], scores: Float64Array, frame: Frame): Column[] {
  const byName = new Map(frame.columns.map((col) => [col.name, col]));
  return outputs.map((o, c) => {
    const fills = outputValues(scores, outputs.length, c);
    const input = byName.get(o.name)!;
    if (o.type !== 'label') {
      const values = toFloat64(input).map((v, i) => (Number.isNaN(v) ? fills[i] : v));
      return { name: o.name, kind: 'float64', length: values.length, values, valid: null };
    }
    const labels = o.labels ?? [];
    const numbers = input.kind === 'string' ? null : toFloat64(input);
    const text = Array.from({ length: frame.rows }, (_, i): string | null => {
      const fill = labels[fills[i]] ?? null;
      if (!isValid(input, i)) return fill;
      if (input.kind === 'string') return stringAt(input, i) ?? fill;
      return Number.isNaN(numbers![i]) ? fill : String(numbers![i]);
    });
    const dictionary = [...new Set(text.filter((t): t is string => t !== null))];
    const code = new Map(dictionary.map((t, k) => [t, k]));
    return labelColumn(
      o.name,
      dictionary,
      Float64Array.from(text, (t) => (t === null ? NaN : code.get(t)!)),
    );
  });
}

/** One record per row with the outputs by name. */
export function outputRecords(outputs: OutputSpec[], scores: Float64Array): OutputRecord[] {
  const width = outputs.length;
  return Array.from({ length: scores.length / width }, (_, r) => {
    const record: OutputRecord = {};
    outputs.forEach((o, c) => {
      const v = scores[r * width + c];
      if (o.type === 'label') {
        const label = o.labels?.[v];
        if (label !== undefined) record[o.name] = label;
      } else if (!Number.isNaN(v)) record[o.name] = v;
    });
    return record;
  });
}

/** SQL types of the output columns, as `outputColumns` makes them. */
export function outputSqlType(output: OutputSpec): 'VARCHAR' | 'DOUBLE' | 'INTEGER' {
  return output.type === 'label' ? 'VARCHAR' : output.type === 'integer' ? 'INTEGER' : 'DOUBLE';
}

import { CairnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { OneHotEncoder } from './one-hot.js';
import { OrdinalEncoder } from './ordinal.js';
import { TargetEncoder } from './target-encoder.js';

/**
 * Categorical encoders: fitted on a training column, applied to any later column of the same
 * meaning. Each is an immutable value with `transform` and `toJSON`, loaded back with `fromJSON`
 * (or `encoderFromJSON`, which dispatches on `kind`). Output columns are Float64Array with NaN for
 * missing, ready for `featureMatrix` (src/ml/matrix.ts).
 */

export interface EncodedColumns {
  readonly columns: Float64Array[];
  readonly names: string[];
}

export interface CategoricalEncoder {
  readonly kind: EncoderJson['kind'];
  /** Name of the column the encoder was fitted on; output names start with it. */
  readonly column: string;
  transform(col: Column): EncodedColumns;
  toJSON(): EncoderJson;
}

export type EncoderJson =
  | ReturnType<OneHotEncoder['toJSON']>
  | ReturnType<OrdinalEncoder['toJSON']>
  | ReturnType<TargetEncoder['toJSON']>;

export type Encoder = OneHotEncoder | OrdinalEncoder | TargetEncoder;

/** Loads any encoder saved with toJSON; INVALID_ARGUMENT for an unknown kind or a malformed body. */
export function encoderFromJSON(json: unknown): Encoder {
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'one-hot':
      return OneHotEncoder.fromJSON(json);
    case 'ordinal':
      return OrdinalEncoder.fromJSON(json);
    case 'target':
      return TargetEncoder.fromJSON(json);
    default:
      throw new CairnError(
        'INVALID_ARGUMENT',
        `encoder JSON has kind ${JSON.stringify(kind) ?? 'undefined'}; expected 'one-hot', 'ordinal' or 'target'`,
      );
  }
}

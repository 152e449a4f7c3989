import { FEATURE_NAMES } from './features.js';

/** Every name a fraud rule may test: the features and the transaction's own id fields. */
export const RULE_FIELDS: readonly string[] = [
  ...FEATURE_NAMES,
  'user_id',
  'merchant_id',
  'device_id',
  'payment_method',
  'currency',
];

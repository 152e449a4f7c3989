import { z } from 'zod';

/** One payment as the scoring API and the stream receive it. */
export const transactionSchema = z.object({
  transaction_id: z.string().min(1).max(200),
  user_id: z.string().min(1).max(200),
  amount: z.number().nonnegative().finite(),
  currency: z.string().min(3).max(3).describe('ISO 4217 code, e.g. EUR'),
  merchant_id: z.string().min(1).max(200),
  merchant_category: z.string().min(1).max(100),
  device_id: z.string().min(1).max(200),
  payment_method: z.string().min(1).max(100),
  timestamp: z.iso.datetime({ offset: true }).describe('ISO 8601, e.g. 2026-11-02T14:03:00Z'),
  location: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
});

export type Transaction = z.infer<typeof transactionSchema>;

/** The schema's own timestamp pattern (RFC 3339 with an offset), for the hand-written check below. */
const TIMESTAMP = z.regexes.datetime({ offset: true });

/**
 * The transaction in a parsed JSON body, or why the body is not one (the stream and
 * `POST /v1/fraud/score` both check with it). The usual well-formed body is checked by hand — a
 * stream decides tens of thousands a second and the schema's generic walk was a tenth of that — and
 * anything else goes to the schema, which names the field at fault (after `where`, e.g. `body`). The
 * hand check accepts a subset of what the schema accepts and returns the same object (known fields
 * only, in the schema's order).
 */
export function parseTransactionBody(body: unknown, where?: string): Transaction | string {
  const fast = wellFormed(body);
  if (fast !== null) return fast;
  const parsed = transactionSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  return parsed.error.issues
    .map(
      (i) => `${[where, ...i.path].filter((part) => part !== undefined).join('.') || '(root)'}: ${i.message}`,
    )
    .join('; ');
}

function wellFormed(body: unknown): Transaction | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const location = b.location as Record<string, unknown> | null | undefined;
  if (typeof location !== 'object' || location === null || Array.isArray(location)) return null;
  const { lat, lon } = location;
  const { amount, timestamp } = b;
  if (
    !isText(b.transaction_id, 1, 200) ||
    !isText(b.user_id, 1, 200) ||
    typeof amount !== 'number' ||
    !(amount >= 0 && amount < Infinity) ||
    !isText(b.currency, 3, 3) ||
    !isText(b.merchant_id, 1, 200) ||
    !isText(b.merchant_category, 1, 100) ||
    !isText(b.device_id, 1, 200) ||
    !isText(b.payment_method, 1, 100) ||
    typeof timestamp !== 'string' ||
    !TIMESTAMP.test(timestamp) ||
    typeof lat !== 'number' ||
    !(lat >= -90 && lat <= 90) ||
    typeof lon !== 'number' ||
    !(lon >= -180 && lon <= 180)
  )
    return null;
  return {
    transaction_id: b.transaction_id as string,
    user_id: b.user_id as string,
    amount,
    currency: b.currency as string,
    merchant_id: b.merchant_id as string,
    merchant_category: b.merchant_category as string,
    device_id: b.device_id as string,
    payment_method: b.payment_method as string,
    timestamp,
    location: { lat, lon },
  };
}

function isText(value: unknown, min: number, max: number): boolean {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** A simulated transaction with its ground truth: whether it is fraud and, if so, which pattern. */
export interface LabelledTransaction extends Transaction {
  is_fraud: boolean;
  pattern: FraudPattern | 'legit';
}

export const FRAUD_PATTERNS = ['card_testing', 'account_takeover', 'burst'] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

/** Epoch milliseconds of a transaction's timestamp. */
export function transactionTime(tx: Transaction): number {
  return Date.parse(tx.timestamp);
}

/** The transaction without its simulated ground truth, as a client would send it. */
export function withoutLabel(tx: LabelledTransaction): Transaction {
  return {
    transaction_id: tx.transaction_id,
    user_id: tx.user_id,
    amount: tx.amount,
    currency: tx.currency,
    merchant_id: tx.merchant_id,
    merchant_category: tx.merchant_category,
    device_id: tx.device_id,
    payment_method: tx.payment_method,
    timestamp: tx.timestamp,
    location: tx.location,
  };
}

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

import { simulateTransactions } from './simulator.js';
import { withoutLabel, type Transaction } from './transaction.js';

export interface LiveFeedOptions {
  /** Transactions per second. */
  rate: number;
  /** Seed of the simulated day the feed cycles through. */
  seed: number;
}

/**
 * Sends simulated transactions at a steady rate, stamped with the current time, until stopped: the
 * demo's payment traffic. Returns the function that stops it.
 */
export function startLiveFeed(send: (tx: Transaction) => void, options: LiveFeedOptions): () => void {
  const day = simulateTransactions({ seed: options.seed, start: Date.now(), days: 1 });
  const started = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * options.rate);
    for (; sent < due; sent++) {
      const tx = withoutLabel(day[sent % day.length]);
      send({ ...tx, transaction_id: `${tx.transaction_id}-${sent}`, timestamp: new Date().toISOString() });
    }
  }, 100);
  return () => clearInterval(timer);
}

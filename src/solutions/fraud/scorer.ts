import { performance } from 'node:perf_hooks';
import { errorMessage } from '../../core/errors.js';
import { decide, DEFAULT_BANDS, toScore, type Decision, type DecisionBands } from './decision.js';
import type { FraudEnsemble } from './ensemble.js';
import { FEATURE_NAMES, rateKeys, ruleInput, transactionFeatures, type FeatureSources } from './features.js';
import type { CompiledRules, FiredRule } from './rules.js';
import { transactionTime, type Transaction } from './transaction.js';

/** Why a decision came out as it did: a fired rule, a feature's TreeSHAP share, or the fail-open policy. */
export interface Reason {
  type: 'rule' | 'feature' | 'fallback';
  code: string;
  description: string;
  /** Rules: how sure the rule is, 0–1. */
  confidence?: number;
  /** Features: the transaction's value. */
  value?: number | null;
  /** Features: the change in the GBDT's log-odds of fraud. */
  contribution?: number;
}

/** `rules`: a block rule decided, or no model is trained yet; `ensemble`: rules + models; `fallback`: fail-open. */
export type ScoringMethod = 'rules' | 'ensemble' | 'fallback';

export interface FraudResult {
  transaction_id: string;
  decision: Decision;
  score: number;
  reasons: Reason[];
  method: ScoringMethod;
  latency_ms: number;
}

export interface ScorerOptions {
  bands?: DecisionBands;
  /** Top TreeSHAP features per decision; default 3. */
  topFeatures?: number;
  /** Explain every decision, or (default) only those other than APPROVE, which keeps TreeSHAP off the hot path. */
  explain?: 'always' | 'flagged';
}

/**
 * Scores one transaction: features from the user's stream windows (which take the transaction in as
 * they compute them), rules first (a `block` rule decides at once), then the ensemble. Any
 * failure approves with reason `fallback` (fail-open), so an outage never stops payments.
 */
export class FraudScorer {
  private readonly x = new Float64Array(FEATURE_NAMES.length);

  constructor(
    readonly sources: FeatureSources,
    public rules: CompiledRules,
    public ensemble: FraudEnsemble | null,
    private readonly options: ScorerOptions = {},
  ) {}

  score(tx: Transaction): FraudResult {
    const started = performance.now();
    let result: Omit<FraudResult, 'latency_ms'>;
    try {
      result = this.decide(tx);
    } catch (error) {
      result = {
        transaction_id: tx.transaction_id,
        decision: 'APPROVE',
        score: 0,
        reasons: [
          {
            type: 'fallback',
            code: 'fallback',
            description: `scoring failed (${errorMessage(error)}); approved by the fail-open policy`,
          },
        ],
        method: 'fallback',
      };
    }
    return { ...result, latency_ms: Math.round((performance.now() - started) * 1000) / 1000 };
  }

  /** Adds an outcome (analyst label, chargeback) to the merchant and device fraud rates. */
  label(tx: Transaction, fraud: boolean): void {
    this.sources.rates.add(rateKeys(tx), fraud, transactionTime(tx));
  }

  private decide(tx: Transaction): Omit<FraudResult, 'latency_ms'> {
    const bands = this.options.bands ?? DEFAULT_BANDS;
    const at = transactionTime(tx);
    const x = transactionFeatures(tx, at, this.sources, this.x);
    const fired = this.rules.evaluate(ruleInput(tx, x));
    const reasons = fired.map(ruleReason);
    let strongest = 0;
    let block = false;
    let review = false;
    for (const rule of fired) {
      strongest = Math.max(strongest, rule.confidence);
      block ||= rule.action === 'block';
      review ||= rule.action === 'review';
    }
    if (block) {
      const score = Math.max(bands.step_up + 1, toScore(strongest));
      return { transaction_id: tx.transaction_id, decision: 'BLOCK', score, reasons, method: 'rules' };
    }
    let score: number;
    let method: ScoringMethod;
    if (this.ensemble === null) {
      score = toScore(strongest);
      method = 'rules';
    } else {
      score = toScore(this.ensemble.scoreRow(x, strongest).probability);
      method = 'ensemble';
    }
    if (review) score = Math.max(score, bands.approve + 1);
    const decision = decide(score, bands);
    if (this.ensemble !== null && (decision !== 'APPROVE' || this.options.explain === 'always')) {
      for (const c of this.ensemble.explain(x, this.options.topFeatures ?? 3)) {
        reasons.push({
          type: 'feature',
          code: c.name,
          description: `${c.name} = ${formatValue(c.value)} ${c.contribution > 0 ? 'raised' : 'lowered'} the fraud score`,
          value: Number.isFinite(c.value) ? c.value : null,
          contribution: Math.round(c.contribution * 10_000) / 10_000,
        });
      }
    }
    return { transaction_id: tx.transaction_id, decision, score, reasons, method };
  }
}

function ruleReason(rule: FiredRule): Reason {
  return { type: 'rule', code: rule.id, description: rule.reason, confidence: rule.confidence };
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return 'missing';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

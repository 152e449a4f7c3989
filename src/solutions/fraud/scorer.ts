import { performance } from 'node:perf_hooks';
import { errorMessage } from '../../core/errors.js';
import { decide, DEFAULT_BANDS, toScore, type Decision, type DecisionBands } from './decision.js';
import type { FraudEnsemble } from './ensemble.js';
import { FEATURE_NAMES, rateKeys, ruleInput, transactionFeatures, type FeatureSources } from './features.js';
import type { CompiledRules, FiredRule } from './rules.js';
import { transactionTime, type Transaction } from './transaction.js';
import { ensembleVerdict, type Verdict, type VerdictPolicy } from './verdict.js';

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
 * The stateful first half of a decision: the transaction's features (it has now entered its user's
 * windows) and the rules that fired on them. What is left — the ensemble — depends on nothing else.
 */
export interface Assessment {
  transaction_id: string;
  /** Features in FEATURE_NAMES order: the scorer's buffer, overwritten by the next `assess`. */
  x: Float64Array;
  /** The fired rules' reasons. */
  reasons: Reason[];
  /** The strongest fired rule's confidence (0 when none). */
  strongest: number;
  block: boolean;
  review: boolean;
}

/**
 * Scores one transaction: features from the user's stream windows (which take the transaction in as
 * they compute them), rules first (a `block` rule decides at once), then the ensemble. Any
 * failure approves with reason `fallback` (fail-open), so an outage never stops payments. `score`
 * does it all at once; the stream runs `assess` in order and the ensemble's part elsewhere, in
 * batches, and ends with `conclude` — the same steps, so the same decisions.
 */
export class FraudScorer {
  private readonly x = new Float64Array(FEATURE_NAMES.length);
  private readonly input: Record<string, number | string> = {};

  constructor(
    readonly sources: FeatureSources,
    public rules: CompiledRules,
    public ensemble: FraudEnsemble | null,
    private readonly options: ScorerOptions = {},
  ) {}

  /** Bands and explanation settings of the ensemble's part of a decision. */
  get policy(): VerdictPolicy {
    return {
      bands: this.options.bands ?? DEFAULT_BANDS,
      topFeatures: this.options.topFeatures ?? 3,
      explain: this.options.explain ?? 'flagged',
    };
  }

  score(tx: Transaction): FraudResult {
    const started = performance.now();
    let result: Decided;
    try {
      const a = this.assess(tx);
      const ensemble = this.ensemble;
      const verdict =
        ensemble === null || a.block
          ? null
          : ensembleVerdict(
              ensemble,
              a.x,
              ensemble.scoreRow(a.x, a.strongest).probability,
              a.review,
              this.policy,
            );
      result = this.conclude(a, verdict);
    } catch (error) {
      result = fallback(tx.transaction_id, error);
    }
    return withLatency(result, started);
  }

  /** Adds an outcome (analyst label, chargeback) to the merchant and device fraud rates. */
  label(tx: Transaction, fraud: boolean): void {
    this.sources.rates.add(rateKeys(tx), fraud, transactionTime(tx));
  }

  /** Features (the transaction enters its user's windows) and rules; throws what scoring would fail on. */
  assess(tx: Transaction): Assessment {
    const x = transactionFeatures(tx, transactionTime(tx), this.sources, this.x);
    const fired = this.rules.evaluate(ruleInput(tx, x, this.input));
    const reasons = fired.map(ruleReason);
    let strongest = 0;
    let block = false;
    let review = false;
    for (const rule of fired) {
      strongest = Math.max(strongest, rule.confidence);
      block ||= rule.action === 'block';
      review ||= rule.action === 'review';
    }
    return { transaction_id: tx.transaction_id, x, reasons, strongest, block, review };
  }

  /** The decision from an assessment and the ensemble's verdict on it (null: a block rule fired, or no model). */
  conclude(a: Assessment, verdict: Verdict | null): Decided {
    const bands = this.options.bands ?? DEFAULT_BANDS;
    const { transaction_id, reasons } = a;
    if (a.block) {
      const score = Math.max(bands.step_up + 1, toScore(a.strongest));
      return { transaction_id, decision: 'BLOCK', score, reasons, method: 'rules' };
    }
    if (verdict === null) {
      let score = toScore(a.strongest);
      if (a.review) score = Math.max(score, bands.approve + 1);
      return { transaction_id, decision: decide(score, bands), score, reasons, method: 'rules' };
    }
    reasons.push(...verdict.reasons);
    return { transaction_id, decision: verdict.decision, score: verdict.score, reasons, method: 'ensemble' };
  }
}

/** A decision before its latency is known. */
export type Decided = Omit<FraudResult, 'latency_ms'>;

/** The fail-open decision when scoring failed. */
export function fallback(transactionId: string, error: unknown): Decided {
  return {
    transaction_id: transactionId,
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

/** The decision with the milliseconds since `started` (performance.now()). */
export function withLatency(result: Decided, started: number): FraudResult {
  const r = result as FraudResult;
  r.latency_ms = Math.round((performance.now() - started) * 1000) / 1000;
  return r;
}

function ruleReason(rule: FiredRule): Reason {
  return { type: 'rule', code: rule.id, description: rule.reason, confidence: rule.confidence };
}

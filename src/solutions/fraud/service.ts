import type { FeatureRecord, OnlineStore } from '../../features/online/online-store.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../warehouse/database.js';
import { checkBands, DEFAULT_BANDS, type DecisionBands } from './decision.js';
import {
  DecisionLog,
  ensureDecisionTables,
  labelReview,
  listReviews,
  type ReviewItem,
} from './decision-log.js';
import { RULE_FIELDS } from './fields.js';
import { LabelRates } from './label-rates.js';
import { latestFraudModel, loadFraudEnsemble, type FraudModelVersion } from './model-store.js';
import { currentRuleVersion, listRuleVersions, saveRuleVersion, type RuleVersion } from './rule-store.js';
import { compileRules, parseRuleSet } from './rules.js';
import { FraudScorer, type FraudResult } from './scorer.js';
import type { Transaction } from './transaction.js';
import { RecentIds } from './recent-ids.js';
import { restoreFraudState, type RestoredState } from './restore.js';
import { UserWindows } from './user-windows.js';
import { WindowPublisher } from './window-publisher.js';

export interface FraudServiceOptions {
  db: Database;
  artifactsDir: string;
  logger: Logger;
  bands?: DecisionBands;
  /** Buffered decisions are written at least this often (ms); default 250. */
  flushIntervalMs?: number;
  /** Where each user's windows are published (view `fraud_user_windows`); none keeps them in process only. */
  online?: OnlineStore;
}

/**
 * The fraud solution behind every transport (HTTP, stream, CLI): the scorer with the current rules
 * and newest model, the decision log and review queue, rule changes without a restart.
 */
export class FraudService {
  private constructor(
    private readonly db: Database,
    private readonly artifactsDir: string,
    readonly scorer: FraudScorer,
    /** Every decision on its way to the warehouse (the stream acknowledges messages as it writes). */
    readonly log: DecisionLog,
    public ruleVersion: RuleVersion,
    public model: FraudModelVersion | null,
    /** The newest decided transaction ids, to recognise a redelivered message. */
    readonly decidedIds: RecentIds,
    /** What was rebuilt from the warehouse at start. */
    readonly restored: RestoredState,
    private readonly publisher: WindowPublisher | null,
  ) {}

  static async open(options: FraudServiceOptions): Promise<FraudService> {
    const { db, artifactsDir, logger } = options;
    await ensureDecisionTables(db);
    const rules = await currentRuleVersion(db);
    const model = await latestFraudModel(db);
    let ensemble = null;
    if (model !== null) {
      try {
        ensemble = loadFraudEnsemble(artifactsDir, model);
      } catch (error) {
        // Fail open: rules alone still decide, and the log says why the model is missing.
        logger.error({ err: error }, 'fraud: the newest model failed to load; scoring with rules only');
      }
    }
    const windows = new UserWindows();
    const rates = new LabelRates();
    const decidedIds = new RecentIds();
    const restored = await restoreFraudState(db, { windows, rates, ids: decidedIds });
    if (restored.transactions > 0)
      logger.info(restored, 'fraud: user windows and label rates rebuilt from the warehouse');
    const scorer = new FraudScorer({ windows, rates }, compileRules(rules.rules, RULE_FIELDS), ensemble, {
      bands: checkBands(options.bands ?? { ...DEFAULT_BANDS }),
    });
    const publisher = options.online ? new WindowPublisher(options.online, windows, logger) : null;
    publisher?.touchAll();
    return new FraudService(
      db,
      artifactsDir,
      scorer,
      new DecisionLog(db, logger, options.flushIntervalMs),
      rules,
      ensemble === null ? null : model,
      decidedIds,
      restored,
      publisher,
    );
  }

  /** Decides one transaction and queues it, with its decision, for the warehouse. */
  score(tx: Transaction): FraudResult {
    const result = this.scorer.score(tx);
    this.decidedIds.add(tx.transaction_id);
    this.record(tx, result);
    return result;
  }

  /**
   * Books a decision made through the scorer's steps (the stream's batches, which add the id to
   * `decidedIds` as they take the transaction) as `score` books its own; `resultJson` is the result
   * as JSON when the caller has made it already.
   */
  record(tx: Transaction, result: FraudResult, resultJson?: string): void {
    this.log.add(tx, result, resultJson);
    this.publisher?.touch(tx.user_id);
  }

  /** A user's current window values (counts, sums, time since previous …), or null for an unknown user. */
  userWindows(userId: string): FeatureRecord | null {
    return this.scorer.sources.windows.record(userId);
  }

  /** Validates and stores new rules as the next version, then serves them from the next transaction on. */
  async saveRules(source: string, comment: string): Promise<RuleVersion> {
    const compiled = compileRules(parseRuleSet(source), RULE_FIELDS);
    const version = await saveRuleVersion(this.db, source, comment);
    this.scorer.rules = compiled;
    this.ruleVersion = version;
    return version;
  }

  ruleVersions(): Promise<Omit<RuleVersion, 'source'>[]> {
    return listRuleVersions(this.db);
  }

  /** Loads the newest registered model (after a training run); a load failure keeps the current one. */
  async reloadModel(): Promise<FraudModelVersion | null> {
    const model = await latestFraudModel(this.db);
    if (model !== null && model.version !== this.model?.version) {
      this.scorer.ensemble = loadFraudEnsemble(this.artifactsDir, model);
      this.model = model;
    }
    return this.model;
  }

  async reviews(status?: 'open' | 'labelled', limit?: number): Promise<ReviewItem[]> {
    await this.log.flush();
    return listReviews(this.db, status, limit);
  }

  /** An analyst's verdict: stored on the queue item and fed to the merchant and device fraud rates. */
  async label(
    transactionId: string,
    label: 'fraud' | 'legit',
    analyst: string,
    note = '',
  ): Promise<ReviewItem> {
    await this.log.flush();
    const item = await labelReview(this.db, transactionId, label, analyst, note);
    this.scorer.label(item.transaction, label === 'fraud');
    return item;
  }

  /** Writes buffered decisions (false when the write failed: they stay buffered) and publishes windows. */
  async flush(): Promise<boolean> {
    const written = await this.log.flush();
    await this.publisher?.publish();
    return written;
  }

  async close(): Promise<void> {
    await this.log.close();
    await this.publisher?.close();
  }
}

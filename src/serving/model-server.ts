import { CairnError, errorMessage } from '../core/errors.js';
import type { ParallelPool } from '../core/parallel.js';
import { loadModel } from '../models/load.js';
import type { PredictionRecord } from '../models/model.js';
import { listVersions, resolveVersion, type ModelVersion, type Stage } from '../models/registry.js';
import { rollback, setStage, type StageChange } from '../models/stages.js';
import type { Database } from '../warehouse/database.js';
import { ResponseCache } from './cache.js';
import { Predictor, type Explanation } from './predictor.js';
import { RecentPredictions } from './recent-predictions.js';
import {
  checkRouting,
  chooseVariant,
  ensureRoutes,
  readRoutes,
  saveRoute,
  type RoutingConfig,
} from './routing.js';
import { VariantStats, type VariantSnapshot } from './variant-stats.js';

export interface PredictRequest {
  rows: readonly unknown[];
  version?: number;
  stage?: Stage;
  /** Top contributions per row to return; 0 for none. */
  explain?: number;
  /** Sticky routing: the same key always reaches the same variant. */
  key?: string;
}

export interface PredictResponse {
  model: string;
  version: number;
  /** Quote it in feedback to attach labels to these predictions. */
  request_id: string;
  predictions: PredictionRecord[];
  explanations?: Explanation[];
  latency_ms: number;
  cached?: boolean;
}

export interface ModelServerOptions {
  db: Database;
  artifactsDir: string;
  pool?: ParallelPool;
  /** Problems a person must see (a version that failed to load); the server writes them to the job log. */
  onAlert?: (message: string) => void;
  /** Seconds a response stays cached (keyed by version and input); 0 turns caching off. */
  cacheTtlSeconds?: number;
}

/** Requests whose predictions are kept for labels that arrive later. */
const REMEMBERED_REQUESTS = 100_000;

/**
 * Serves predictions for every model of a workspace. Versions are loaded once and kept; which
 * version a request reaches is decided from in-memory state that changes by a single assignment,
 * so a promotion swaps versions with no failed or dropped request: the new version is loaded (and
 * warmed) before it is published, and one that fails to load leaves the old one serving.
 */
export class ModelServer {
  private readonly loaded = new Map<string, Promise<Predictor>>();
  /** `name:stage` → version. */
  private stages = new Map<string, number>();
  private routes = new Map<string, RoutingConfig>();
  private readonly stats = new Map<string, VariantStats>();
  private readonly recent = new RecentPredictions(REMEMBERED_REQUESTS);
  private readonly cache: ResponseCache<PredictResponse> | null;

  private constructor(private readonly options: ModelServerOptions) {
    const ttl = options.cacheTtlSeconds ?? 0;
    this.cache = ttl > 0 ? new ResponseCache(ttl * 1000) : null;
  }

  static async open(options: ModelServerOptions): Promise<ModelServer> {
    await ensureRoutes(options.db);
    const server = new ModelServer(options);
    await server.refresh();
    // Production and staging versions load now, so no request waits for a model file to be read.
    for (const [key, version] of server.stages) {
      const [name, stage] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
      if (stage !== 'production' && stage !== 'staging') continue;
      await server.predictor(name, version).catch((error: unknown) => {
        options.onAlert?.(`model '${name}' v${version} failed to load at start-up: ${errorMessage(error)}`);
      });
    }
    return server;
  }

  async predict(name: string, request: PredictRequest): Promise<PredictResponse> {
    const started = performance.now();
    const route =
      request.version === undefined && request.stage === undefined ? this.routes.get(name) : undefined;
    const version = route ? chooseVariant(route, request.key) : this.versionFor(name, request);
    const predictor = await this.predictor(name, version);
    const explain = request.explain ?? 0;
    const cacheKey = this.cache ? `${name}@${version}|${explain}|${JSON.stringify(request.rows)}` : '';
    const hit = this.cache?.get(cacheKey);
    const key = statsKey(name, version, 'variant');
    const stats = this.statsFor(key, version, 'variant');
    if (hit !== undefined) {
      const latency = performance.now() - started;
      stats.record(latency, request.rows.length);
      const id = this.recent.add(name, key, predictor.target, hit.predictions);
      return { ...hit, request_id: id, latency_ms: latency, cached: true };
    }
    let result;
    try {
      result = predictor.predict(request.rows, explain);
    } catch (error) {
      stats.errors++;
      throw error;
    }
    const latency = performance.now() - started;
    stats.record(latency, request.rows.length);
    const response: PredictResponse = {
      model: name,
      version,
      request_id: this.recent.add(name, key, predictor.target, result.predictions),
      predictions: result.predictions,
      ...(result.explanations ? { explanations: result.explanations } : {}),
      latency_ms: latency,
    };
    this.cache?.set(cacheKey, response);
    if (route?.shadow !== undefined) this.scoreShadow(name, route.shadow, request.rows, response.request_id);
    return response;
  }

  /**
   * Moves a version to a stage. Production and staging versions are loaded first: one that fails to
   * load is not promoted, the previous one keeps serving, and an alert goes to the job log.
   */
  async promote(name: string, version: number, stage: Stage): Promise<StageChange> {
    if (stage === 'production' || stage === 'staging') await this.preload(name, version);
    const change = await setStage(this.options.db, name, version, stage);
    await this.refresh();
    return change;
  }

  async rollback(name: string): Promise<StageChange> {
    const change = await rollback(this.options.db, name, (target) => this.preload(name, target));
    await this.refresh();
    return change;
  }

  async setRouting(name: string, config: RoutingConfig | null): Promise<void> {
    await resolveVersion(this.options.db, name); // NOT_FOUND for a model that does not exist
    if (config !== null) {
      checkRouting(config);
      const versions = [...config.variants.map((v) => v.version), ...(config.shadow ? [config.shadow] : [])];
      for (const version of versions) await this.preload(name, version);
    }
    await saveRoute(this.options.db, name, config);
    await this.refresh();
  }

  routing(name: string): RoutingConfig | null {
    return this.routes.get(name) ?? null;
  }

  /** Per-version traffic and, once labels arrive, metrics. */
  variantStats(name: string): VariantSnapshot[] {
    const out: VariantSnapshot[] = [];
    for (const [key, stats] of this.stats) {
      if (key.startsWith(`${name}@`)) out.push(stats.snapshot(this.taskOf(name)));
    }
    return out.sort((a, b) => a.version - b.version || a.role.localeCompare(b.role));
  }

  /** True labels for an earlier request's rows (one per row, null where unknown); returns how many were used. */
  feedback(name: string, requestId: string, labels: readonly (string | number | boolean | null)[]): number {
    const entry = this.recent.get(requestId);
    if (entry === null || entry.model !== name) {
      throw new CairnError(
        'NOT_FOUND',
        `no recent prediction of model '${name}' has request_id '${requestId}' (labels must follow within the last ${REMEMBERED_REQUESTS.toLocaleString('en')} requests)`,
      );
    }
    let used = 0;
    for (const { key, target, scores } of entry.rows) {
      const stats = this.stats.get(key);
      if (stats === undefined) continue;
      used = 0;
      scores.forEach((score, r) => {
        const label = labels[r];
        if (label === null || label === undefined) return;
        used++;
        if (target.task === 'regression') stats.label(score, Number(label));
        else if (target.task === 'binary') stats.label(score, +(String(label) === target.classes?.[1]));
        else stats.label(+(target.classes?.[score] === String(label)), 1);
      });
    }
    return used;
  }

  /** Re-reads stages and routes from the registry (after a change). */
  async refresh(): Promise<void> {
    const stages = new Map<string, number>();
    for (const v of await listVersions(this.options.db)) {
      if (v.stage !== 'none') stages.set(`${v.name}:${v.stage}`, v.version);
    }
    this.stages = stages;
    this.routes = await readRoutes(this.options.db);
  }

  private versionFor(name: string, request: PredictRequest): number {
    if (request.version !== undefined) return request.version;
    const stage = request.stage ?? 'production';
    const version = this.stages.get(`${name}:${stage}`);
    if (version === undefined) {
      throw new CairnError(
        'NOT_FOUND',
        `model '${name}' has no ${stage} version; promote one (cairn models promote ${name} VERSION --stage ${stage}) or ask for a version`,
      );
    }
    return version;
  }

  private async preload(name: string, version: number): Promise<void> {
    try {
      const predictor = await this.predictor(name, version);
      // Warm the code paths on an empty batch, so the first real request does not pay for it.
      predictor.reader.read([]);
    } catch (error) {
      this.loaded.delete(`${name}@${version}`);
      const message = `model '${name}' v${version} failed to load; the version serving before keeps serving: ${errorMessage(error)}`;
      this.options.onAlert?.(message);
      throw new CairnError(
        error instanceof CairnError && error.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT',
        message,
        {
          cause: error,
        },
      );
    }
  }

  private predictor(name: string, version: number): Promise<Predictor> {
    const key = `${name}@${version}`;
    let pending = this.loaded.get(key);
    if (pending === undefined) {
      pending = this.load(name, version);
      this.loaded.set(key, pending);
      pending.catch(() => this.loaded.delete(key));
    }
    return pending;
  }

  private async load(name: string, version: number): Promise<Predictor> {
    const { db, artifactsDir, pool } = this.options;
    const model = await loadModel(db, artifactsDir, name, version);
    const entry = (await listVersions(db, name)).find((v) => v.version === version) as ModelVersion;
    return new Predictor(entry, model, pool);
  }

  /** The stats under `key` (statsKey of this version and role), made on first use. */
  private statsFor(key: string, version: number, role: 'variant' | 'shadow'): VariantStats {
    let stats = this.stats.get(key);
    if (stats === undefined) this.stats.set(key, (stats = new VariantStats(version, role)));
    return stats;
  }

  private taskOf(name: string): string {
    return this.recent.targetOf(name)?.task ?? 'binary';
  }

  /** Scores the shadow version after the response has gone; its failures count, never surface. */
  private scoreShadow(name: string, version: number, rows: readonly unknown[], requestId: string): void {
    setImmediate(() => {
      const key = statsKey(name, version, 'shadow');
      const stats = this.statsFor(key, version, 'shadow');
      const started = performance.now();
      this.predictor(name, version)
        .then((predictor) => {
          const { predictions } = predictor.predict(rows);
          stats.record(performance.now() - started, rows.length);
          this.recent.addShadow(requestId, key, predictor.target, predictions);
        })
        .catch(() => {
          stats.errors++;
        });
    });
  }
}

function statsKey(name: string, version: number, role: 'variant' | 'shadow'): string {
  return role === 'variant' ? `${name}@${version}` : `${name}@${version}:shadow`;
}

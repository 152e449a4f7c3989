import { existsSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../core/errors.js';
import type { Database } from '../warehouse/database.js';
import { copyToFile } from '../warehouse/export.js';
import { ident, literal } from '../warehouse/sql.js';
import { tableExists } from '../warehouse/catalog.js';
import { asText, type JsonRow } from '../warehouse/values.js';
import type { FeatureRecord, FeatureValue, OnlineStore } from './online/online-store.js';
import { asOfSql, eventsSql, pointInTimeSql } from './training/point-in-time.js';
import type { FeatureView } from './views/feature-view.js';
import {
  getFeatureView,
  listFeatureViews,
  recordMaterialization,
  saveFeatureView,
  type FeatureViewSummary,
} from './views/view-catalog.js';

/** The offline table a view materialises into: one row per entity, its features as of the run. */
export function offlineTableName(view: string): string {
  return `features_${view}`;
}

export interface ApplyReport {
  name: string;
  replaced: boolean;
  features: string[];
}

export interface TrainingSetReport {
  view: string;
  out: string;
  rows: number;
  features: string[];
}

export interface MaterializeReport {
  view: string;
  table: string;
  asOf: string;
  entities: number;
  online: OnlineStore['kind'];
  seconds: number;
}

export interface FeatureLookup {
  view: string;
  entity: string;
  features: FeatureRecord;
}

/**
 * The feature store's one service: feature views in the catalog, point-in-time training sets,
 * materialisation into an offline table and the online store, and online lookups. The CLI, the
 * HTTP routes and scheduled jobs all call this.
 */
export class FeatureStore {
  private store: Promise<OnlineStore> | undefined;

  constructor(
    readonly db: Database,
    private readonly openOnline: () => Promise<OnlineStore>,
  ) {}

  /** The online store, opened on first use (so commands that never serve never dial Redis). */
  online(): Promise<OnlineStore> {
    this.store ??= this.openOnline();
    return this.store;
  }

  async apply(view: FeatureView): Promise<ApplyReport> {
    await this.checkSource(view);
    const { replaced } = await saveFeatureView(this.db, view);
    return { name: view.name, replaced, features: view.features.map((f) => f.name) };
  }

  list(): Promise<FeatureViewSummary[]> {
    return listFeatureViews(this.db);
  }

  view(name: string): Promise<FeatureView> {
    return getFeatureView(this.db, name);
  }

  /** Reads a labels CSV (entity column, `ts`, any labels) and writes it back with one column per feature. */
  async trainingSet(viewName: string, labelsFile: string, outFile: string): Promise<TrainingSetReport> {
    const view = await this.view(viewName);
    if (!existsSync(labelsFile))
      throw new CairnError('INVALID_ARGUMENT', `labels file ${labelsFile} does not exist`);
    const labels = `SELECT * FROM read_csv(${literal(path.resolve(labelsFile))}, header = true)`;
    const [header] = await this.db
      .rows(`DESCRIBE ${labels}`)
      .then((rows) => [rows.map((r) => asText(r.column_name))]);
    for (const needed of [view.entity, 'ts']) {
      if (!header.includes(needed)) {
        throw new CairnError(
          'INVALID_ARGUMENT',
          `labels file ${labelsFile} has no column '${needed}'; it needs the entity column '${view.entity}', a 'ts' column and any label columns (it has ${header.join(', ')})`,
        );
      }
    }
    const written = await copyToFile(this.db, `(${pointInTimeSql(view, labels)})`, outFile);
    const [count] = await this.db.rows(`SELECT count(*) AS n FROM (${labels})`);
    return {
      view: view.name,
      out: written.file,
      rows: Number(count.n),
      features: view.features.map((f) => f.name),
    };
  }

  /** Rows with the view's features as of each row's `tsColumn` (for callers that hold SQL, not a CSV). */
  async pointInTime(viewName: string, labelsSql: string, tsColumn = 'ts'): Promise<JsonRow[]> {
    return this.db.rows(pointInTimeSql(await this.view(viewName), labelsSql, tsColumn));
  }

  /**
   * Computes every entity's features as of `asOf` (default now) into the offline table
   * `features_<view>`, then replaces the view's records in the online store.
   */
  async materialize(viewName: string, asOf = new Date()): Promise<MaterializeReport> {
    const started = performance.now();
    const view = await this.view(viewName);
    const table = offlineTableName(view.name);
    const columns = view.features.map((f) => ident(f.name)).join(', ');
    await this.db.run(
      `CREATE OR REPLACE TABLE main.${ident(table)} AS
       SELECT CAST(${ident(view.entity)} AS VARCHAR) AS ${ident(view.entity)}, ${columns}, __as_of AS as_of
       FROM (${asOfSql(view, asOf)})`,
    );
    const entities = await this.loadOnline(view);
    await recordMaterialization(this.db, view.name, asOf, entities);
    return {
      view: view.name,
      table,
      asOf: asOf.toISOString(),
      entities,
      online: (await this.online()).kind,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** Copies the view's offline table into the online store (a server warming its in-process store). */
  async loadOnline(view: FeatureView): Promise<number> {
    const table = offlineTableName(view.name);
    if (!(await tableExists(this.db, table))) return 0;
    const rows = await this.db.rows(`SELECT * EXCLUDE (as_of) FROM main.${ident(table)}`);
    const records = new Map<string, FeatureRecord>();
    for (const row of rows) {
      const record: FeatureRecord = {};
      for (const f of view.features) record[f.name] = toFeatureValue(row[f.name]);
      records.set(asText(row[view.entity]), record);
    }
    const store = await this.online();
    await store.clear(view.name);
    await store.write(view.name, records);
    return records.size;
  }

  /** Warms the online store from every view's offline table. */
  async loadAllOnline(): Promise<void> {
    for (const summary of await this.list()) await this.loadOnline(await this.view(summary.name));
  }

  async lookup(viewName: string, entity: string): Promise<FeatureLookup> {
    const features = await (await this.online()).read(viewName, entity);
    if (features === null) {
      const known = (await this.list()).some((v) => v.name === viewName);
      throw new CairnError(
        'NOT_FOUND',
        known
          ? `feature view '${viewName}' has no online features for entity '${entity}'; materialise it with: cairn features materialize ${viewName}`
          : `no online features for entity '${entity}' in view '${viewName}': no feature view or stream of that name has written any`,
      );
    }
    return { view: viewName, entity, features };
  }

  async lookupMany(viewName: string, entities: readonly string[]): Promise<(FeatureRecord | null)[]> {
    return (await this.online()).readMany(viewName, entities);
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
  }

  private async checkSource(view: FeatureView): Promise<void> {
    if ('table' in view.source && !(await tableExists(this.db, view.source.table))) {
      throw new CairnError(
        'NOT_FOUND',
        `feature view '${view.name}' reads table '${view.source.table}', which does not exist; ingest it first`,
      );
    }
    // Binding the events query checks that the entity, timestamp and feature columns exist.
    await this.db.rows(`SELECT * FROM (${eventsSql(view)}) LIMIT 0`);
  }
}

function toFeatureValue(value: JsonRow[string]): FeatureValue {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  return JSON.stringify(value);
}

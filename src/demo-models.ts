import { listVersions, type Stage } from './models/registry.js';
import { parseSpec } from './models/spec.js';
import { setStage } from './models/stages.js';
import { trainModel, type TrainReport } from './models/train.js';
import { tableExists } from './warehouse/catalog.js';
import type { Database } from './warehouse/database.js';
import { META_SCHEMA } from './warehouse/metadata.js';

interface DemoModel {
  name: string;
  table: string;
  /** One spec per version, trained in order; each without `name` and `data`, which come from above. */
  versions: Record<string, unknown>[];
  /** The stage each version goes to, in the same order. */
  stages: Stage[];
}

/**
 * Small enough to train in a few seconds on one core. Churn has two versions that differ, so the
 * dashboard has one to inspect and one to promote; the segments and anomalies pages each need one.
 */
const DEMO_MODELS: DemoModel[] = [
  {
    name: 'churn',
    table: 'churn',
    versions: [
      { n_estimators: 100, max_depth: 4, learning_rate: 0.1 },
      { n_estimators: 60, max_depth: 3, learning_rate: 0.15 },
    ].map((params) => ({
      task: 'binary',
      algorithm: 'gbdt',
      target: 'Churn',
      features: { exclude: ['customerID'] },
      params,
      seed: 42,
      serving: { missing_fields: 'impute', unknown_fields: 'ignore', unseen_categories: 'missing' },
    })),
    stages: ['production', 'staging'],
  },
  {
    // Recency, frequency and monetary value (standardised) in four k-means segments, drawn by PCA.
    name: 'customer_segments',
    table: 'retail_customers',
    versions: [
      {
        task: 'cluster',
        algorithm: 'kmeans',
        features: ['recency_days', 'frequency', 'monetary', 'lines'],
        params: { k: 4, projection: 'pca' },
        seed: 42,
      },
    ],
    stages: ['production'],
  },
  {
    // Invoices whose amount and number of lines stand out; the 1 % most isolated are flagged.
    name: 'invoice_anomalies',
    table: 'retail_invoices',
    versions: [
      {
        task: 'anomaly',
        algorithm: 'isolation_forest',
        features: ['amount', 'lines'],
        params: { contamination: 0.01 },
        seed: 42,
      },
    ],
    stages: ['production'],
  },
];

/**
 * On a workspace's first start, trains the demo models on the demo tables and stages them. Runs
 * once (a setting records it); a model whose table is missing or which already exists is skipped.
 */
export async function trainDemoModels(db: Database, artifactsDir: string): Promise<TrainReport[]> {
  const done = await db.rows(`SELECT 1 FROM ${META_SCHEMA}.settings WHERE name = 'demo_models_at'`);
  if (done.length > 0) return [];
  const reports: TrainReport[] = [];
  for (const demo of DEMO_MODELS) {
    if (!(await tableExists(db, demo.table)) || (await listVersions(db, demo.name)).length > 0) continue;
    const trained: TrainReport[] = [];
    for (const version of demo.versions) {
      const spec = parseSpec(
        { name: demo.name, data: { table: demo.table }, ...version },
        `demo ${demo.name} spec`,
      );
      trained.push(await trainModel(db, artifactsDir, spec));
    }
    for (const [i, report] of trained.entries())
      await setStage(db, demo.name, report.version, demo.stages[i], 'demo');
    reports.push(...trained);
  }
  await db.run(`INSERT INTO ${META_SCHEMA}.settings VALUES ('demo_models_at', CAST(now() AS VARCHAR))`);
  return reports;
}

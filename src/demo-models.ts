import { listVersions } from './models/registry.js';
import { parseSpec } from './models/spec.js';
import { setStage } from './models/stages.js';
import { trainModel, type TrainReport } from './models/train.js';
import { tableExists } from './warehouse/catalog.js';
import type { Database } from './warehouse/database.js';
import { META_SCHEMA } from './warehouse/metadata.js';

const DEMO_MODEL = 'churn';

/**
 * On a workspace's first start, trains two small churn GBDTs on the demo table: version 1 goes to
 * production and version 2 to staging, so the dashboard has a model to inspect and one to promote.
 * Runs once (a setting records it), and not at all when the churn table or model already exists.
 */
export async function trainDemoModels(db: Database, artifactsDir: string): Promise<TrainReport[]> {
  const done = await db.rows(`SELECT 1 FROM ${META_SCHEMA}.settings WHERE name = 'demo_models_at'`);
  if (done.length > 0) return [];
  const reports: TrainReport[] = [];
  if ((await tableExists(db, DEMO_MODEL)) && (await listVersions(db, DEMO_MODEL)).length === 0) {
    // Small enough to train in a few seconds on one core; the second differs so the versions compare.
    const variants = [
      { n_estimators: 100, max_depth: 4, learning_rate: 0.1 },
      { n_estimators: 60, max_depth: 3, learning_rate: 0.15 },
    ];
    for (const params of variants) {
      const spec = parseSpec(
        {
          name: DEMO_MODEL,
          task: 'binary',
          algorithm: 'gbdt',
          data: { table: DEMO_MODEL },
          target: 'Churn',
          features: { exclude: ['customerID'] },
          params,
          seed: 42,
          serving: { missing_fields: 'impute', unknown_fields: 'ignore', unseen_categories: 'missing' },
        },
        'demo churn spec',
      );
      reports.push(await trainModel(db, artifactsDir, spec));
    }
    await setStage(db, DEMO_MODEL, reports[0].version, 'production', 'demo');
    await setStage(db, DEMO_MODEL, reports[1].version, 'staging', 'demo');
  }
  await db.run(`INSERT INTO ${META_SCHEMA}.settings VALUES ('demo_models_at', CAST(now() AS VARCHAR))`);
  return reports;
}

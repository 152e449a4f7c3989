import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableExists } from './warehouse/catalog.js';
import type { Database } from './warehouse/database.js';
import { ingest } from './warehouse/ingest/ingest.js';
import type { IngestReport } from './warehouse/ingest/types.js';
import { META_SCHEMA } from './warehouse/metadata.js';

export const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'data');

/** The real datasets shipped in data/ (see data/README.md) and the tables they become. */
export const DEMO_TABLES: Record<string, string> = {
  churn: 'telco_customer_churn.csv',
  fraud: 'creditcard_ulb_undersample.csv',
  housing: 'california_housing.csv',
  bank: 'bank_additional_10pct.csv',
  iris: 'iris.csv',
  wine: 'wine.csv',
  breast_cancer: 'breast_cancer.csv',
  // Online Retail customers (RFM) and invoices: the segments and anomalies pages' demo data.
  retail_customers: 'online_retail_rfm.csv',
  retail_invoices: 'online_retail_invoices.csv',
};

/**
 * Loads the demo tables on a workspace's first start only, so tables a user drops later stay
 * dropped. Returns the ingests it ran.
 */
export async function loadDemoData(db: Database, dataDir = DATA_DIR): Promise<IngestReport[]> {
  const done = await db.rows(`SELECT 1 FROM ${META_SCHEMA}.settings WHERE name = 'demo_loaded_at'`);
  if (done.length > 0) return [];
  const reports: IngestReport[] = [];
  for (const [table, file] of Object.entries(DEMO_TABLES)) {
    if (await tableExists(db, table)) continue;
    reports.push(await ingest(db, { source: path.join(dataDir, file), table, sourceLabel: `data/${file}` }));
  }
  await db.run(`INSERT INTO ${META_SCHEMA}.settings VALUES ('demo_loaded_at', CAST(now() AS VARCHAR))`);
  return reports;
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../../src/warehouse/database.js';
import { literal } from '../../src/warehouse/sql.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = path.join(ROOT, 'bench/out/supervised');
export const PYTHON = '/usr/bin/python3';
export const PEERS = '/work/shared/peers';
const SHARED = '/work/shared/datasets/tabular';

export interface BenchDataset {
  name: string;
  task: 'binary' | 'regression';
  target: string;
  drop: string[];
  /** Writes (once) and returns the train and test CSVs. */
  prepare(): Promise<{ train: string; test: string }>;
}

/** A 75/25 split by peers/split.py (seed 42, stratified for classes), written once to bench/out. */
function splitOf(name: string, source: string, target: string) {
  return () => {
    const train = path.join(OUT, `${name}_train.csv`);
    const test = path.join(OUT, `${name}_test.csv`);
    if (existsSync(train) && existsSync(test)) return Promise.resolve({ train, test });
    mkdirSync(OUT, { recursive: true });
    const run = spawnSync(
      PYTHON,
      [
        `${PEERS}/split.py`,
        '--in',
        source,
        '--target',
        target,
        '--test-frac',
        '0.25',
        '--seed',
        '42',
        '--out-train',
        train,
        '--out-test',
        test,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`split.py failed for ${name}: ${run.stderr}`);
    return Promise.resolve({ train, test });
  };
}

/** The flights file with the benchmark's features: date parts, distance, airports, and delayed = delay > 15. */
async function flightsFeatures(): Promise<string> {
  const file = path.join(OUT, 'flights_features.csv');
  if (existsSync(file)) return file;
  mkdirSync(OUT, { recursive: true });
  const db = await Database.open(':memory:');
  try {
    const source = `${SHARED}/vega_flights/flights-3m_every3rd.csv`;
    await db.run(
      `COPY (SELECT month(d) AS month, day(d) AS day_of_month, dayofweek(d) AS weekday, hour(d) AS hour,
                    distance, origin, destination, CASE WHEN delay > 15 THEN 1 ELSE 0 END AS delayed
             FROM (SELECT CAST(date AS TIMESTAMP) AS d, * FROM read_csv(${literal(source)})))
       TO ${literal(file)} (HEADER, DELIMITER ',')`,
    );
  } finally {
    db.close();
  }
  return file;
}

const DATA = path.join(ROOT, 'data');

export const DATASETS: BenchDataset[] = [
  {
    name: 'churn',
    task: 'binary',
    target: 'Churn',
    drop: ['customerID'],
    prepare: splitOf('churn', `${DATA}/telco_customer_churn.csv`, 'Churn'),
  },
  {
    name: 'adult',
    task: 'binary',
    target: 'income',
    drop: [],
    prepare: () =>
      Promise.resolve({ train: `${SHARED}/adult/adult_train.csv`, test: `${SHARED}/adult/adult_test.csv` }),
  },
  {
    name: 'bank',
    task: 'binary',
    target: 'y',
    drop: [],
    prepare: splitOf('bank', `${DATA}/bank_additional_10pct.csv`, 'y'),
  },
  {
    name: 'california',
    task: 'regression',
    target: 'median_house_value',
    drop: [],
    prepare: splitOf('california', `${DATA}/california_housing.csv`, 'median_house_value'),
  },
  {
    name: 'breast_cancer',
    task: 'binary',
    target: 'target',
    drop: ['target_name'],
    prepare: splitOf('breast_cancer', `${DATA}/breast_cancer.csv`, 'target'),
  },
  {
    name: 'creditcard',
    task: 'binary',
    target: 'Class',
    drop: [],
    prepare: splitOf('creditcard', `${DATA}/creditcard_ulb_undersample.csv`, 'Class'),
  },
  {
    name: 'flights',
    task: 'binary',
    target: 'delayed',
    drop: [],
    prepare: async () => splitOf('flights', await flightsFeatures(), 'delayed')(),
  },
];

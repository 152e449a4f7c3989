import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Database } from './database.js';
import { ensureMetadata } from './metadata.js';

/** A workspace folder: one DuckDB database for data and metadata, and a folder for artifacts. */
export interface Workspace {
  home: string;
  artifacts: string;
  db: Database;
  close: () => void;
}

export async function openWorkspace(home: string): Promise<Workspace> {
  const artifacts = path.join(home, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const db = await Database.open(path.join(home, 'warehouse.duckdb'));
  await ensureMetadata(db);
  return { home, artifacts, db, close: () => db.close() };
}

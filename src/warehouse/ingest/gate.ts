import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../database.js';
import type { IngestMode } from './types.js';

/** What an ingest gate sees: the staged records, before they are counted and committed. */
export interface IngestGateInput {
  /** The ingest's own connection: the quarantine table is a temp table visible only on it. */
  connection: DuckDBConnection;
  table: string;
  /** Plain-identifier name of the stage table in `main` holding the accepted records. */
  stage: string;
  /** Temp table (record BIGINT, raw VARCHAR, error VARCHAR, reason VARCHAR) for rejected records. */
  quarantine: string;
  mode: IngestMode;
}

/**
 * A check every ingest passes its staged records through. It may move records from the stage into
 * the quarantine table (they are then counted as quarantined, so read = accepted + quarantined
 * still holds) or throw to stop the ingest, which leaves the table as it was.
 */
export type IngestGate = (input: IngestGateInput) => Promise<void>;

// Keyed by database so that two workspaces open in one process keep their own gates.
const gates = new WeakMap<Database, IngestGate>();

/** Installs the gate that every ingest into `db` runs; the composition root wires it. */
export function setIngestGate(db: Database, gate: IngestGate | undefined): void {
  if (gate) gates.set(db, gate);
  else gates.delete(db);
}

export function ingestGate(db: Database): IngestGate | undefined {
  return gates.get(db);
}

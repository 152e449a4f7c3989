import type { Database } from '../warehouse/database.js';
import type { IngestGate } from '../warehouse/ingest/gate.js';

/**
 * The gate the composition root installs. The rules engine (YAML, zod, croner) loads on the first
 * ingest, not at start-up, so commands that never ingest start as fast as before.
 */
export function qualityIngestGate(db: Database): IngestGate {
  return async (input) => (await import('./rules/ingest-gate.js')).runQualityGate(db, input);
}

import type { EnsembleJson } from './ensemble-json.js';
import type { GbdtParams } from './gbdt-params.js';

/** A GbdtModel as JSON: versioned, with plain number arrays (doubles round-trip exactly). */
export interface GbdtJson {
  format: 'cairn-gbdt';
  version: 1;
  params: Partial<GbdtParams>;
  bestIteration: number;
  evalHistory: { metric: string; valid: number[] };
  ensemble: EnsembleJson;
}

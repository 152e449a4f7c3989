import type { Column, Frame } from '../../core/frame.js';
import type { ParallelPool } from '../../core/parallel.js';
import { CompiledEnsemble } from '../../ml/tree/compiled-ensemble.js';
import { marginToPrediction } from '../../ml/tree/ensemble.js';
import { flattenEnsemble, shareFlat } from '../../ml/tree/flatten-ensemble.js';
import { GbdtModel, type GbdtJson } from '../../ml/tree/gbdt.js';
import { newTreesId, startMargins } from '../../ml/tree/predict-worker.js';
import { buildMatrix } from '../../models/features.js';
import { columnsFromScores, predictionColumns, type TrainedModel } from '../../models/model.js';

export interface ChunkScorer {
  /** True when chunks are predicted off this thread, between `start` and the call it returns. */
  readonly inWorkers: boolean;
  /** Starts scoring a chunk; the returned function finishes it and gives its prediction columns. */
  start(frame: Frame): () => Column[];
}

/**
 * How batch scoring predicts its chunks. A GBDT with a worker pool is started on the workers, so
 * that this thread reads the next chunk and writes the last one meanwhile, then joins them on the
 * rows left (the same bits as predicting here). Other models predict at once, spreading over the pool where they can.
 */
export function chunkScorer(model: TrainedModel, pool?: ParallelPool): ChunkScorer {
  if (pool === undefined || pool.threads < 2 || model.estimator.algorithm !== 'gbdt') {
    return {
      inWorkers: false,
      start: (frame) => {
        const columns = predictionColumns(model, frame, { pool });
        return () => columns;
      },
    };
  }
  const { ensemble } = GbdtModel.fromJSON(model.estimator.toJSON() as GbdtJson);
  const trees = shareFlat(flattenEnsemble(ensemble));
  const compiled = new CompiledEnsemble(trees);
  const shared = { trees, treesId: newTreesId() };
  let buffers = {};
  return {
    inWorkers: true,
    start: (frame) => {
      const X = buildMatrix(frame, model.artifact.features);
      const started = startMargins(pool, compiled, shared, X, buffers);
      buffers = started.buffers;
      return () => {
        const scores = marginToPrediction(ensemble.objective, started.wait(), ensemble.outputs);
        return columnsFromScores(model.artifact.target, frame, scores);
      };
    },
  };
}

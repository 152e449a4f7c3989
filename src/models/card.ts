import { escapeHtml } from '../core/html.js';
import type { Database } from '../warehouse/database.js';
import { barChart, xyChart } from './card-svg.js';
import type { Evaluation } from './evaluate.js';
import type { FeatureSpec } from './features.js';
import { loadModel } from './load.js';
import { resolveVersion, type DataFingerprint, type Stage } from './registry.js';
import { stageHistory, type StageEvent } from './stages.js';
import type { TargetInfo } from './target.js';

/** Everything a person needs to judge one version, as JSON (the HTML card draws the same). */
export interface ModelCard {
  model: string;
  version: number;
  stage: Stage;
  task: string;
  algorithm: string;
  createdAt: string;
  cairnVersion: string;
  seed: number;
  durationSeconds: number;
  target: TargetInfo;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  spec: Record<string, unknown>;
  data: DataFingerprint;
  /** The input schema serving validates against. */
  features: { name: string; column: string; kind: string; categories?: number; part?: string }[];
  evaluation: Evaluation | null;
  /** The training rows feature by feature, categories by label. */
  training: TrainingColumn[];
  stages: StageEvent[];
}

export interface TrainingColumn {
  feature: string;
  missing: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  top?: { value: string; share: number }[];
}

export async function modelCard(
  db: Database,
  artifactsDir: string,
  name: string,
  version?: number,
): Promise<ModelCard> {
  const entry = await resolveVersion(db, name, version);
  const model = await loadModel(db, artifactsDir, name, entry.version);
  const history = await stageHistory(db, name);
  return {
    model: name,
    version: entry.version,
    stage: entry.stage,
    task: entry.task,
    algorithm: entry.algorithm,
    createdAt: entry.createdAt,
    cairnVersion: entry.cairnVersion,
    seed: entry.seed,
    durationSeconds: entry.durationSeconds,
    target: model.artifact.target,
    metrics: entry.metrics,
    params: entry.params,
    spec: entry.spec,
    data: entry.data,
    features: model.artifact.features.map(describeFeature),
    evaluation: entry.evaluation,
    training: trainingColumns(entry.evaluation, model.artifact.features),
    stages: history.filter((e) => e.version === entry.version),
  };
}

function trainingColumns(evaluation: Evaluation | null, features: FeatureSpec[]): TrainingColumn[] {
  return (evaluation?.training ?? []).map(({ top, ...summary }, f) => {
    const spec = features[f];
    if (top === undefined || spec?.kind !== 'categorical') return summary;
    return {
      ...summary,
      top: top.map((t) => ({ value: spec.categories[t.code] ?? String(t.code), share: t.share })),
    };
  });
}

function describeFeature(f: FeatureSpec): ModelCard['features'][number] {
  if (f.kind === 'categorical')
    return { name: f.name, column: f.column, kind: f.kind, categories: f.categories.length };
  if (f.kind === 'date_part') return { name: f.name, column: f.column, kind: f.kind, part: f.part };
  return { name: f.name, column: f.column, kind: f.kind };
}

const BLUE = '#4c78a8';
const ORANGE = '#f58518';
const GREY = '#999';

/** The card as one self-contained HTML page (inline SVG charts, no scripts, no external assets). */
export function modelCardHtml(card: ModelCard): string {
  const e = card.evaluation;
  const charts: string[] = [];
  if (e?.curves) {
    const { roc, pr, calibration } = e.curves;
    charts.push(
      xyChart(
        'ROC curve',
        [
          { label: `AUC ${fmt(card.metrics.auc)}`, x: roc.fpr, y: roc.tpr, colour: BLUE },
          { label: 'chance', x: [0, 1], y: [0, 1], colour: GREY },
        ],
        { x: 'false positive rate', y: 'true positive rate', xRange: [0, 1], yRange: [0, 1] },
      ),
      xyChart(
        'Precision–recall',
        [{ label: `PR-AUC ${fmt(card.metrics.pr_auc)}`, x: pr.recall, y: pr.precision, colour: ORANGE }],
        { x: 'recall', y: 'precision', xRange: [0, 1], yRange: [0, 1] },
      ),
      xyChart(
        'Calibration',
        [
          { label: 'observed', x: calibration.mean_predicted, y: calibration.observed_rate, colour: BLUE },
          { label: 'perfect', x: [0, 1], y: [0, 1], colour: GREY },
        ],
        { x: 'mean predicted probability', y: 'observed rate', xRange: [0, 1], yRange: [0, 1] },
      ),
    );
  }
  if (e?.residuals) {
    const { actual, predicted } = e.residuals;
    const lo = Math.min(...actual, ...predicted);
    const hi = Math.max(...actual, ...predicted);
    charts.push(
      xyChart(
        'Predicted vs actual',
        [
          { label: 'held-out rows', x: actual, y: predicted, colour: BLUE, points: true },
          { label: 'perfect', x: [lo, hi], y: [lo, hi], colour: GREY },
        ],
        { x: 'actual', y: 'predicted', xRange: [lo, hi], yRange: [lo, hi] },
      ),
    );
  }
  if (e?.importance) {
    charts.push(
      barChart(
        'Feature importance',
        e.importance.slice(0, 15).map((i) => ({ label: i.feature, value: i.importance })),
      ),
    );
  }
  const rows = (record: Record<string, unknown>) =>
    Object.entries(record)
      .map(
        ([k, v]) =>
          `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'number' ? fmt(v) : JSON.stringify(v))}</td></tr>`,
      )
      .join('');
  const confusion = e?.confusion
    ? `<h2>Confusion matrix</h2><table class="grid"><tr><th>true \\ predicted</th>${e.confusion.labels
        .map((l) => `<th>${escapeHtml(l)}</th>`)
        .join('')}</tr>${e.confusion.counts
        .map(
          (row, i) =>
            `<tr><th>${escapeHtml(e.confusion!.labels[i])}</th>${row.map((c) => `<td>${c.toLocaleString('en')}</td>`).join('')}</tr>`,
        )
        .join('')}</table>`
    : '';
  const features = card.features
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.name)}</td><td>${escapeHtml(f.column)}</td><td>${f.kind}${f.categories !== undefined ? ` (${f.categories} categories)` : ''}${f.part ? ` (${f.part})` : ''}</td></tr>`,
    )
    .join('');
  const title = `${card.model} v${card.version}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — model card</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}h1{margin:0 0 4px}
.sub{color:#666;margin-bottom:16px}table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.grid td{text-align:right}.charts{display:flex;flex-wrap:wrap;gap:16px}.stage{display:inline-block;padding:1px 8px;border-radius:9px;background:#e8eef6}</style></head>
<body><h1>${escapeHtml(title)}</h1><div class="sub"><span class="stage">${card.stage}</span> · ${escapeHtml(card.task)} · ${escapeHtml(card.algorithm)} · trained ${escapeHtml(card.createdAt)} in ${fmt(card.durationSeconds)} s · Cairn ${escapeHtml(card.cairnVersion)}</div>
<h2>Held-out metrics</h2><table>${rows(card.metrics)}</table>
<div class="charts">${charts.join('')}</div>${confusion}
<h2>Data</h2><table>${rows({ source: card.data.source, rows: card.data.rows, content_hash: card.data.hash, target: card.target.column, classes: card.target.classes ?? '–' })}</table>
<h2>Features (${card.features.length})</h2><table><tr><th>feature</th><th>column</th><th>kind</th></tr>${features}</table>
${trainingTable(card.training)}
<h2>Parameters</h2><table>${rows(card.params)}</table>
<h2>Stage history</h2><table>${card.stages.map((s) => `<tr><td>${escapeHtml(s.at)}</td><td>${s.from} → ${s.to}</td><td>${escapeHtml(s.reason)}</td></tr>`).join('') || '<tr><td>never promoted</td></tr>'}</table>
</body></html>`;
}

function trainingTable(columns: TrainingColumn[]): string {
  if (columns.length === 0) return '';
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const rows = columns
    .map((c) => {
      const shape = c.top
        ? c.top
            .slice(0, 4)
            .map((t) => `${escapeHtml(t.value)} ${pct(t.share)}`)
            .join(', ')
        : `${fmt(c.min)} … ${fmt(c.max)}, mean ${fmt(c.mean)}, std ${fmt(c.std)}`;
      return `<tr><td>${escapeHtml(c.feature)}</td><td>${pct(c.missing)}</td><td>${shape}</td></tr>`;
    })
    .join('');
  return `<h2>Training data by feature</h2><table><tr><th>feature</th><th>missing</th><th>values</th></tr>${rows}</table>`;
}

function fmt(v: unknown): string {
  if (typeof v !== 'number') return v === undefined || v === null ? '–' : JSON.stringify(v);
  if (Number.isInteger(v)) return v.toLocaleString('en');
  return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4);
}

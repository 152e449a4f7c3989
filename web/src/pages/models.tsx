import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type {
  ModelCard,
  ModelDetail,
  ModelVersion,
  PredictResponse,
  RowsPage,
  Stage,
  StageChange,
} from '../api/types';
import { useApi } from '../api/use-api';
import { Chart } from '../components/chart';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Async, Empty, ErrorBox } from '../components/status';
import { formatCell, formatCount, formatDuration, formatNumber, formatWhen, metricLabel } from '../format';
import { href } from '../router';
import {
  calibrationChart,
  confusionChart,
  contributionChart,
  importanceChart,
  prChart,
  residualChart,
  rocChart,
} from './model-charts';
import { keyMetric } from './overview';

export function ModelsPage({ model, version }: { model: string | undefined; version: number | undefined }) {
  const list = useApi<{ versions: ModelVersion[] }>('/v1/models');
  const names = useMemo(
    () => [...new Set((list.data?.versions ?? []).map((v) => v.name))].sort(),
    [list.data],
  );
  const chosen = model ?? names[0];
  return (
    <>
      <h1>Models</h1>
      <div className="split">
        <aside className="side">
          <Async state={list} what="Loading models">
            {() =>
              names.length === 0 ? (
                <Empty>No models yet: train one with `cairn train SPEC`.</Empty>
              ) : (
                <ul className="picker">
                  {names.map((n) => (
                    <li key={n}>
                      <a href={href('models', n)} aria-current={n === chosen ? 'page' : undefined}>
                        {n}
                      </a>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </aside>
        <div className="main">
          {chosen !== undefined && <ModelView key={chosen} name={chosen} version={version} />}
        </div>
      </div>
    </>
  );
}

interface PendingChange {
  kind: 'promote' | 'rollback';
  version?: number;
  stage?: Stage;
}

function ModelView({ name, version }: { name: string; version: number | undefined }) {
  const detail = useApi<ModelDetail>(`/v1/models/${encodeURIComponent(name)}`);
  const [pending, setPending] = useState<PendingChange>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState<string>();

  const apply = async () => {
    if (!pending) return;
    setBusy(true);
    setError(undefined);
    try {
      const change =
        pending.kind === 'promote'
          ? await api<StageChange>(`/v1/models/${encodeURIComponent(name)}/promote`, {
              method: 'POST',
              body: { version: pending.version, stage: pending.stage },
            })
          : await api<StageChange>(`/v1/models/${encodeURIComponent(name)}/rollback`, { method: 'POST' });
      setDone(
        `Version ${change.version} is now in ${change.stage}` +
          (change.archived.length > 0
            ? `; archived ${change.archived.map((v) => `v${v}`).join(', ')}.`
            : '.'),
      );
      detail.reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
      setPending(undefined);
    }
  };

  return (
    <Async state={detail} what={`Loading ${name}`}>
      {(d) => {
        const production = d.versions.find((v) => v.stage === 'production');
        const shown = version ?? production?.version ?? Math.max(...d.versions.map((v) => v.version));
        return (
          <>
            <h2>
              {name}{' '}
              <span className="muted">
                {d.versions.length} versions · {d.versions[0]?.task}
              </span>
            </h2>
            {done && (
              <p className="notice" role="status">
                {done}
              </p>
            )}
            {error && <ErrorBox error={error} />}
            <section className="card">
              <div className="toolbar">
                <h3>Versions</h3>
                <button type="button" onClick={() => setPending({ kind: 'rollback' })}>
                  Roll back production…
                </button>
              </div>
              <VersionsTable
                name={name}
                versions={d.versions}
                shown={shown}
                onPromote={(v, stage) => setPending({ kind: 'promote', version: v, stage })}
              />
            </section>
            <VersionCard key={`${shown}-${done ?? ''}`} name={name} version={shown} />
            {pending && (
              <ConfirmDialog
                title={
                  pending.kind === 'promote'
                    ? `Promote ${name} v${pending.version} to ${pending.stage}?`
                    : `Roll back ${name}?`
                }
                confirmLabel={pending.kind === 'promote' ? `Promote to ${pending.stage}` : 'Roll back'}
                busy={busy}
                onConfirm={() => void apply()}
                onCancel={() => setPending(undefined)}
              >
                {pending.kind === 'promote' && pending.stage === 'production' ? (
                  <p>
                    Version {pending.version} will take all production traffic once it has loaded
                    {production ? `; version ${production.version} will be archived` : ''}.
                  </p>
                ) : pending.kind === 'promote' ? (
                  <p>
                    Version {pending.version} will be marked {pending.stage}. Production traffic does not
                    change.
                  </p>
                ) : (
                  <p>
                    The previous production version goes back into production and the current one is archived.
                  </p>
                )}
              </ConfirmDialog>
            )}
          </>
        );
      }}
    </Async>
  );
}

function VersionsTable({
  name,
  versions,
  shown,
  onPromote,
}: {
  name: string;
  versions: ModelVersion[];
  shown: number;
  onPromote: (version: number, stage: Stage) => void;
}) {
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  return (
    <div className="grid-scroll">
      <table className="grid" data-testid="versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Stage</th>
            <th>Algorithm</th>
            <th>Key metric</th>
            <th>Rows</th>
            <th>Trained</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((v) => {
            const [key, value] = keyMetric(v.metrics);
            return (
              <tr
                key={v.version}
                className={v.version === shown ? 'selected' : undefined}
                data-version={v.version}
              >
                <td>
                  <a href={href('models', name, v.version)}>v{v.version}</a>
                </td>
                <td>
                  <span className={`badge ${v.stage}`} data-testid={`stage-${v.version}`}>
                    {v.stage}
                  </span>
                </td>
                <td>{v.algorithm}</td>
                <td className="num">{key ? `${metricLabel(key)} ${formatNumber(value)}` : '—'}</td>
                <td className="num">{formatCount(v.data.rows)}</td>
                <td title={v.createdAt}>{formatWhen(v.createdAt)}</td>
                <td className="actions">
                  {v.stage !== 'production' && (
                    <button type="button" onClick={() => onPromote(v.version, 'production')}>
                      Promote
                    </button>
                  )}
                  {v.stage !== 'staging' && v.stage !== 'production' && (
                    <button type="button" onClick={() => onPromote(v.version, 'staging')}>
                      To staging
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function VersionCard({ name, version }: { name: string; version: number }) {
  const card = useApi<ModelCard>(`/v1/models/${encodeURIComponent(name)}/versions/${version}/card`);
  return (
    <Async state={card} what={`Loading the card of v${version}`}>
      {(c) => {
        const e = c.evaluation;
        const metrics = Object.entries(c.metrics).filter(
          (entry): entry is [string, number] => typeof entry[1] === 'number',
        );
        return (
          <>
            <section className="card">
              <h3>
                v{c.version} metrics{' '}
                <span className="muted">held-out rows · trained in {formatDuration(c.durationSeconds)}</span>
              </h3>
              <div className="tiles">
                {metrics.map(([k, v]) => (
                  <div className="tile" key={k}>
                    <div className="tile-value">{formatNumber(v)}</div>
                    <div className="tile-label">{metricLabel(k)}</div>
                  </div>
                ))}
              </div>
            </section>
            <div className="chart-grid">
              {e?.curves && (
                <>
                  <ChartCard title="ROC curve" option={rocChart(e.curves.roc)} />
                  <ChartCard title="Precision–recall curve" option={prChart(e.curves.pr)} />
                  <ChartCard title="Calibration" option={calibrationChart(e.curves.calibration)} />
                </>
              )}
              {e?.confusion && <ChartCard title="Confusion matrix" option={confusionChart(e.confusion)} />}
              {e?.residuals && <ChartCard title="Actual vs predicted" option={residualChart(e.residuals)} />}
              {e?.importance && (
                <ChartCard
                  title="Feature importance"
                  option={importanceChart(e.importance)}
                  height={Math.min(15, e.importance.length) * 22 + 60}
                />
              )}
            </div>
            {c.data.source.startsWith('table:') && c.task !== 'cluster' && (
              <ExplainRow name={name} version={version} table={c.data.source.slice('table:'.length)} />
            )}
          </>
        );
      }}
    </Async>
  );
}

function ChartCard({
  title,
  option,
  height = 260,
}: {
  title: string;
  option: Parameters<typeof Chart>[0]['option'];
  height?: number;
}) {
  return (
    <section className="card">
      <h3>{title}</h3>
      <Chart option={option} label={title} height={height} />
    </section>
  );
}

function ExplainRow({ name, version, table }: { name: string; version: number; table: string }) {
  const [row, setRow] = useState(0);
  const [result, setResult] = useState<{ prediction: Record<string, unknown>; response: PredictResponse }>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const explain = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api<RowsPage>(`/v1/tables/${encodeURIComponent(table)}/rows?offset=${row}&limit=1`);
      if (page.rows.length === 0)
        throw new Error(`${table} has no row ${formatCount(row)} (it has ${formatCount(page.total)}).`);
      const response = await api<PredictResponse>(
        `/v1/models/${encodeURIComponent(name)}/predict?explain=true&top=10`,
        {
          method: 'POST',
          body: { rows: page.rows, version },
        },
      );
      setResult({ prediction: response.predictions[0] ?? {}, response });
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  const explanation = result?.response.explanations?.[0];
  return (
    <section className="card">
      <h3>Why this prediction? (SHAP)</h3>
      <div className="toolbar">
        <label>
          Row of {table}{' '}
          <input
            type="number"
            min={0}
            value={row}
            onChange={(e) => setRow(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
          />
        </label>
        <button type="button" className="primary" onClick={() => void explain()} disabled={busy}>
          {busy ? 'Explaining…' : 'Explain'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {result && (
        <>
          <p>
            Prediction:{' '}
            {Object.entries(result.prediction)
              .map(([k, v]) => `${k} ${formatCell(v)}`)
              .join(', ')}
            {explanation && <> · base value {formatNumber(explanation.base)}</>}
          </p>
          {explanation ? (
            <Chart
              option={contributionChart(explanation.top)}
              label="feature contributions"
              height={explanation.top.length * 26 + 60}
            />
          ) : (
            <Empty>This model gives no explanations.</Empty>
          )}
        </>
      )}
    </section>
  );
}

import { useMemo } from 'react';
import type { Overview } from '../api/types';
import { useApi } from '../api/use-api';
import { baseGrid, Chart } from '../components/chart';
import { Async, Empty } from '../components/status';
import { Tile } from '../components/tile';
import { formatCount, formatNumber, formatPercent, formatWhen, metricLabel } from '../format';
import { href } from '../router';

export function OverviewPage() {
  const state = useApi<Overview>('/v1/overview', 10_000);
  return (
    <>
      <h1>Overview</h1>
      <Async state={state} what="Loading the workspace summary">
        {(o) => <OverviewBody overview={o} />}
      </Async>
    </>
  );
}

function OverviewBody({ overview: o }: { overview: Overview }) {
  const totalRows = o.tables.reduce((sum, t) => sum + t.rows, 0);
  const running = (o.jobs.counts.running ?? 0) + (o.jobs.counts.queued ?? 0);
  const tablesChart = useMemo(
    () => ({
      grid: { ...baseGrid, left: 8 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatCount(v) },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCount(v, true) } },
      yAxis: { type: 'category', data: o.tables.map((t) => t.name), inverse: true },
      series: [{ type: 'bar', data: o.tables.map((t) => t.rows), itemStyle: { color: '#4c78a8' } }],
    }),
    [o.tables],
  );
  return (
    <>
      <section className="tiles">
        <Tile
          label="Tables"
          value={formatCount(o.tables.length)}
          note={`${formatCount(totalRows, true)} rows`}
        />
        <Tile
          label="Models"
          value={formatCount(o.models.length)}
          note={`${formatCount(o.models.filter((m) => m.production !== null).length)} in production`}
        />
        <Tile
          label="Jobs running or queued"
          value={formatCount(running)}
          note={`${formatCount(o.jobs.counts.failed ?? 0)} failed`}
        />
        <Tile
          label="Alerts and failed checks"
          value={formatCount(o.alerts.length + o.qualityFailures.length)}
          note="most recent"
        />
      </section>
      <div className="columns">
        <section className="card">
          <h2>Rows per table</h2>
          {o.tables.length === 0 ? (
            <Empty>No tables yet: ingest a file with `cairn ingest`.</Empty>
          ) : (
            <Chart
              option={tablesChart}
              label="rows per table"
              height={Math.max(160, o.tables.length * 28 + 40)}
            />
          )}
        </section>
        <section className="card">
          <h2>Models</h2>
          {o.models.length === 0 ? (
            <Empty>No models yet: train one with `cairn train SPEC`.</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Production</th>
                  <th>Staging</th>
                  <th>Key metric</th>
                </tr>
              </thead>
              <tbody>
                {o.models.map((m) => {
                  const [key, value] = keyMetric(m.metrics);
                  return (
                    <tr key={m.name}>
                      <td>
                        <a href={href('models', m.name)}>{m.name}</a> <span className="muted">{m.task}</span>
                      </td>
                      <td>{m.production === null ? '—' : `v${m.production}`}</td>
                      <td>{m.staging === null ? '—' : `v${m.staging}`}</td>
                      <td className="num">{key ? `${metricLabel(key)} ${formatNumber(value)}` : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <div className="columns">
        <section className="card">
          <h2>Recent jobs</h2>
          {o.jobs.recent.length === 0 ? (
            <Empty>No jobs have run.</Empty>
          ) : (
            <ul className="list">
              {o.jobs.recent.map((j) => (
                <li key={j.id}>
                  <a href={href('jobs', j.id)}>{j.kind}</a>{' '}
                  <span className={`badge ${j.status}`}>{j.status}</span>{' '}
                  {j.status === 'running' && formatPercent(j.progress, 0)}{' '}
                  <span className="muted">{formatWhen(j.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card">
          <h2>Alerts and quality failures</h2>
          {o.alerts.length + o.qualityFailures.length === 0 ? (
            <Empty>Nothing needs attention.</Empty>
          ) : (
            <ul className="list">
              {o.alerts.map((a) => (
                <li key={a.id}>
                  <span className="badge failed">alert</span> {a.message}{' '}
                  <span className="muted">{formatWhen(a.at)}</span>
                </li>
              ))}
              {o.qualityFailures.map((f) => (
                <li key={f.run_id}>
                  <span className="badge failed">check failed</span>{' '}
                  <a href={href('tables', f.table)}>{f.table}</a>{' '}
                  <span className="muted">
                    {f.trigger}, {formatWhen(f.checked_at)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

/** The metric a person looks at first for a model's task. */
export function keyMetric(metrics: Record<string, unknown>): [string, number] | [undefined, number] {
  for (const name of ['auc', 'macro_f1', 'accuracy', 'r2', 'rmse', 'silhouette', 'roc_auc']) {
    const value = metrics[name];
    if (typeof value === 'number') return [name, value];
  }
  return [undefined, NaN];
}

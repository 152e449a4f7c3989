import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type {
  CheckReport,
  CheckRun,
  ColumnProfile,
  Profile,
  RowsPage,
  TableDetail,
  TableSummary,
} from '../api/types';
import { useApi } from '../api/use-api';
import { baseGrid, Chart, type ChartOption } from '../components/chart';
import { DataGrid } from '../components/data-grid';
import { Async, Empty, ErrorBox } from '../components/status';
import { formatCell, formatCount, formatNumber, formatPercent, formatWhen } from '../format';
import { href } from '../router';

const PAGE_ROWS = 25;

export function TablesPage({ table }: { table: string | undefined }) {
  const list = useApi<{ tables: TableSummary[] }>('/v1/tables');
  return (
    <>
      <h1>Tables</h1>
      <div className="split">
        <aside className="side">
          <Async state={list} what="Loading tables">
            {({ tables }) =>
              tables.length === 0 ? (
                <Empty>No tables yet.</Empty>
              ) : (
                <ul className="picker">
                  {tables.map((t) => (
                    <li key={t.name}>
                      <a href={href('tables', t.name)} aria-current={t.name === table ? 'page' : undefined}>
                        {t.name} <span className="muted">{formatCount(t.rows, true)}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </aside>
        <div className="main">
          {table === undefined ? (
            <Empty>Choose a table to see its schema, rows, profile and checks.</Empty>
          ) : (
            <TableView key={table} table={table} />
          )}
        </div>
      </div>
    </>
  );
}

function TableView({ table }: { table: string }) {
  const detail = useApi<TableDetail>(`/v1/tables/${encodeURIComponent(table)}?sample=0`);
  return (
    <Async state={detail} what={`Loading ${table}`}>
      {(d) => (
        <>
          <h2>
            {d.name}{' '}
            <span className="muted">
              {formatCount(d.rows)} rows · {d.columns.length} columns
            </span>
          </h2>
          <section className="card">
            <h3>Schema</h3>
            <DataGrid
              columns={['name', 'type', 'nullable']}
              rows={d.columns.map((c) => ({
                name: c.name,
                type: c.type,
                nullable: c.nullable ? 'yes' : 'no',
              }))}
            />
          </section>
          <RowsSection table={table} columns={d.columns.map((c) => c.name)} />
          <ProfileSection table={table} />
          <ChecksSection table={table} />
        </>
      )}
    </Async>
  );
}

function RowsSection({ table, columns }: { table: string; columns: string[] }) {
  const [offset, setOffset] = useState(0);
  const page = useApi<RowsPage>(
    `/v1/tables/${encodeURIComponent(table)}/rows?offset=${offset}&limit=${PAGE_ROWS}`,
  );
  const total = page.data?.total ?? 0;
  return (
    <section className="card">
      <h3>Rows</h3>
      <div className="pager">
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE_ROWS))}
        >
          ‹ Previous
        </button>
        <span>
          {total === 0
            ? 'no rows'
            : `${formatCount(offset + 1)}–${formatCount(Math.min(total, offset + PAGE_ROWS))} of ${formatCount(total)}`}
        </span>
        <button
          type="button"
          disabled={offset + PAGE_ROWS >= total}
          onClick={() => setOffset(offset + PAGE_ROWS)}
        >
          Next ›
        </button>
      </div>
      <Async state={page} what="Loading rows">
        {(p) => <DataGrid columns={columns} rows={p.rows} />}
      </Async>
    </section>
  );
}

function ProfileSection({ table }: { table: string }) {
  const profile = useApi<Profile>(`/v1/tables/${encodeURIComponent(table)}/profile?save=false`);
  return (
    <section className="card">
      <h3>Profile</h3>
      <Async state={profile} what="Profiling">
        {(p) => (
          <>
            <p className="muted">
              Profiled {formatWhen(p.profiled_at)} in {formatNumber(p.seconds)} s.
            </p>
            <div className="small-multiples">
              {p.columns.map((c) => (
                <ColumnCard key={c.name} column={c} />
              ))}
            </div>
          </>
        )}
      </Async>
    </section>
  );
}

function ColumnCard({ column: c }: { column: ColumnProfile }) {
  const option = useMemo(() => columnChart(c), [c]);
  return (
    <div className="column-card">
      <div className="column-head">
        <strong>{c.name}</strong> <span className="muted">{c.type}</span>
      </div>
      <div className="muted">
        {formatPercent(c.null_rate)} missing · {c.approximate ? '≈' : ''}
        {formatCount(c.distinct)} distinct
        {c.mean !== null && ` · mean ${formatNumber(c.mean)}`}
      </div>
      {option ? (
        <Chart option={option} height={140} label={`distribution of ${c.name}`} />
      ) : (
        <Empty>No distribution to draw.</Empty>
      )}
    </div>
  );
}

function columnChart(c: ColumnProfile): ChartOption | null {
  const grid = { left: 4, right: 8, top: 8, bottom: 4, containLabel: true };
  if (c.histogram && c.histogram.counts.length > 0) {
    const { edges, counts } = c.histogram;
    const labels = counts.map((_, i) => `${formatNumber(edges[i])} – ${formatNumber(edges[i + 1])}`);
    return {
      grid,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels, axisLabel: { show: false } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCount(v, true) } },
      series: [{ type: 'bar', data: counts, barCategoryGap: '5%', itemStyle: { color: '#4c78a8' } }],
    };
  }
  if (c.top.length > 0) {
    const top = c.top.slice(0, 6);
    return {
      grid,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCount(v, true) } },
      yAxis: { type: 'category', inverse: true, data: top.map((t) => formatCell(t.value).slice(0, 18)) },
      series: [{ type: 'bar', data: top.map((t) => t.count), itemStyle: { color: '#f58518' } }],
    };
  }
  return null;
}

function ChecksSection({ table }: { table: string }) {
  const runs = useApi<{ runs: CheckRun[] }>(`/v1/tables/${encodeURIComponent(table)}/checks`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [last, setLast] = useState<CheckReport>();

  /** Saved rules check what the table's owners declared; suggested ones are proposed from its profile. */
  const runCheck = async (which: 'saved' | 'suggested') => {
    setBusy(true);
    setError(undefined);
    try {
      const base = `/v1/tables/${encodeURIComponent(table)}`;
      const rules =
        which === 'saved' ? undefined : (await api<{ rules: unknown[] }>(`${base}/rules/suggest`)).rules;
      setLast(await api<CheckReport>(`${base}/check`, { method: 'POST', body: { rules } }));
      runs.reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card">
      <h3>Rule results over time</h3>
      <div className="toolbar">
        <button type="button" onClick={() => void runCheck('saved')} disabled={busy}>
          Check saved rules
        </button>
        <button type="button" onClick={() => void runCheck('suggested')} disabled={busy}>
          Check suggested rules
        </button>
        {busy && <span className="muted">Checking…</span>}
      </div>
      {error && <ErrorBox error={error} />}
      {last && (
        <p>
          Last check {last.passed ? 'passed' : 'failed'}: {last.results.filter((r) => r.passed).length} of{' '}
          {last.results.length} rules passed.
        </p>
      )}
      <Async state={runs} what="Loading check history">
        {({ runs: list }) =>
          list.length === 0 ? (
            <Empty>No checks have run on this table yet.</Empty>
          ) : (
            <ChecksChart runs={list} />
          )
        }
      </Async>
    </section>
  );
}

function ChecksChart({ runs }: { runs: CheckRun[] }) {
  const option = useMemo(() => {
    const ordered = [...runs].reverse();
    return {
      grid: baseGrid,
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: ordered.map((r) => new Date(r.checked_at).toLocaleString()) },
      yAxis: { type: 'value', minInterval: 1, name: 'count' },
      series: [
        {
          name: 'failed rules',
          type: 'bar',
          stack: 'x',
          data: ordered.map((r) => r.failed_rules),
          itemStyle: { color: '#e45756' },
        },
        {
          name: 'anomalies',
          type: 'bar',
          stack: 'x',
          data: ordered.map((r) => r.anomalies),
          itemStyle: { color: '#f58518' },
        },
        {
          name: 'passed',
          type: 'line',
          step: 'middle',
          data: ordered.map((r) => (r.passed ? 1 : 0)),
          itemStyle: { color: '#54a24b' },
        },
      ],
    };
  }, [runs]);
  return <Chart option={option} label="check results over time" />;
}

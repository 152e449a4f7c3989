import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { QueryResult, Row } from '../api/types';
import { baseGrid, Chart, type ChartOption } from '../components/chart';
import { DataGrid } from '../components/data-grid';
import { Empty, ErrorBox, Loading } from '../components/status';
import { formatCount, formatNumber } from '../format';

const LIMIT = 1000;
const GRID_PAGE = 50;
const EXAMPLE = `SELECT Contract, count(*) AS customers, avg(MonthlyCharges) AS avg_monthly
FROM churn
GROUP BY Contract
ORDER BY customers DESC`;

export function QueryPage() {
  const [sql, setSql] = useState(EXAMPLE);
  const [result, setResult] = useState<QueryResult>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const [seconds, setSeconds] = useState(0);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    const started = performance.now();
    try {
      setResult(await api<QueryResult>('/v1/query', { method: 'POST', body: { sql, limit: LIMIT } }));
      setSeconds((performance.now() - started) / 1000);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <h1>Query</h1>
      <section className="card">
        <label htmlFor="sql">SQL (read-only; Ctrl+Enter runs it)</label>
        <textarea
          id="sql"
          className="sql"
          spellCheck={false}
          value={sql}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void run();
            }
          }}
        />
        <div className="toolbar">
          <button
            type="button"
            className="primary"
            onClick={() => void run()}
            disabled={running || sql.trim() === ''}
          >
            {running ? 'Running…' : 'Run'}
          </button>
          {result && (
            <>
              <span className="muted" data-testid="row-count">
                {formatCount(result.rows.length)} rows
                {result.truncated ? ` (first ${formatCount(LIMIT)}; more exist)` : ''} in{' '}
                {formatNumber(seconds)} s
              </span>
              <button type="button" onClick={() => download(toCsv(result), 'query.csv', 'text/csv')}>
                Export CSV
              </button>
              <button
                type="button"
                onClick={() =>
                  download(JSON.stringify(result.rows, null, 2), 'query.json', 'application/json')
                }
              >
                Export JSON
              </button>
            </>
          )}
        </div>
      </section>
      {error && <ErrorBox error={error} />}
      {running && !result && <Loading what="Running the query" />}
      {result && <ResultView result={result} />}
    </>
  );
}

function ResultView({ result }: { result: QueryResult }) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(result.rows.length / GRID_PAGE));
  const rows = result.rows.slice(page * GRID_PAGE, (page + 1) * GRID_PAGE);
  if (result.columns.length === 0) return <Empty>The statement returned no columns.</Empty>;
  return (
    <>
      <ResultChart key={result.columns.join(',')} result={result} />
      <section className="card">
        <h2>Results</h2>
        {pages > 1 && (
          <div className="pager">
            <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
              ‹ Previous
            </button>
            <span>
              page {page + 1} of {pages}
            </span>
            <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
              Next ›
            </button>
          </div>
        )}
        <DataGrid columns={result.columns} rows={rows} />
      </section>
    </>
  );
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)/i;

function ResultChart({ result }: { result: QueryResult }) {
  const numeric = result.columns.filter((_, i) => NUMERIC.test(result.types[i] ?? ''));
  const others = result.columns.filter((c) => !numeric.includes(c));
  const [x, setX] = useState(others[0] ?? result.columns[0]);
  const [y, setY] = useState(numeric.find((c) => c !== x) ?? numeric[0]);
  const [kind, setKind] = useState<'bar' | 'line' | 'scatter'>(others.length > 0 ? 'bar' : 'scatter');
  const option = useMemo(() => (y ? resultChart(result.rows, x, y, kind) : null), [result, x, y, kind]);
  if (numeric.length === 0) return null;
  return (
    <section className="card">
      <h2>Chart</h2>
      <div className="toolbar">
        <label>
          x <Select value={x} options={result.columns} onChange={setX} />
        </label>
        <label>
          y <Select value={y ?? ''} options={numeric} onChange={setY} />
        </label>
        <label>
          as{' '}
          <Select
            value={kind}
            options={['bar', 'line', 'scatter']}
            onChange={(v) => setKind(v as typeof kind)}
          />
        </label>
      </div>
      {option && <Chart option={option} label="query result chart" height={300} />}
    </section>
  );
}

function Select({
  value,
  options,
  onChange,
}: {
  value: string;
  options: string[];
  onChange: (v: string) => void;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
}

function resultChart(rows: Row[], x: string, y: string, kind: 'bar' | 'line' | 'scatter'): ChartOption {
  const tooltip = { trigger: kind === 'scatter' ? 'item' : 'axis' };
  const yAxis = { type: 'value', name: y, axisLabel: { formatter: (v: number) => formatCount(v, true) } };
  if (kind === 'scatter') {
    return {
      grid: baseGrid,
      tooltip,
      xAxis: { type: 'value', name: x, scale: true },
      yAxis: { ...yAxis, scale: true },
      series: [{ type: 'scatter', symbolSize: 5, data: rows.map((r) => [Number(r[x]), Number(r[y])]) }],
    };
  }
  return {
    grid: baseGrid,
    tooltip,
    xAxis: { type: 'category', name: x, data: rows.map((r) => String(r[x])) },
    yAxis,
    series: [{ type: kind, data: rows.map((r) => Number(r[y])), itemStyle: { color: '#4c78a8' } }],
  };
}

function toCsv(result: QueryResult): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [result.columns.map(cell).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => cell(row[c])).join(','));
  return lines.join('\n') + '\n';
}

function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

import { useMemo } from 'react';
import type { AnomalyTimeline } from '../api/types';
import { useApi } from '../api/use-api';
import { baseGrid, Chart, type ChartOption } from '../components/chart';
import { ModelPicker } from '../components/model-picker';
import { Async, Empty } from '../components/status';
import { Tile } from '../components/tile';
import { formatCell, formatCount, formatNumber, formatPercent } from '../format';

/** Points on the time line: every flagged row and a spread of the others. */
const POINTS = 3000;
const FLAGGED = '#e45756';

export function AnomaliesPage({ model }: { model: string | undefined }) {
  return (
    <>
      <h1>Anomalies</h1>
      <ModelPicker
        task="anomaly"
        page="anomalies"
        model={model}
        none={
          <>
            No anomaly model yet: train one with <code>task: anomaly</code> on a table with a time column.
          </>
        }
      >
        {(name) => <Anomalies key={name} model={name} />}
      </ModelPicker>
    </>
  );
}

function Anomalies({ model }: { model: string }) {
  const state = useApi<AnomalyTimeline>(`/v1/anomalies/${encodeURIComponent(model)}?points=${POINTS}`);
  return (
    <Async state={state} what="Scoring the table">
      {(timeline) => <AnomaliesBody timeline={timeline} />}
    </Async>
  );
}

function AnomaliesBody({ timeline: t }: { timeline: AnomalyTimeline }) {
  const chart = useMemo(() => timelineChart(t), [t]);
  const features = t.top.length > 0 ? Object.keys(t.top[0].values) : [];
  return (
    <>
      <section className="tiles">
        <Tile
          value={formatCount(t.flagged)}
          label="flagged"
          note={`${formatPercent(t.flagged / t.scored_rows)} of rows`}
        />
        <Tile value={formatCount(t.scored_rows)} label={`rows scored in ${t.source}`} />
        <Tile
          value={t.threshold === null ? '—' : formatNumber(t.threshold)}
          label="threshold"
          note={t.algorithm}
        />
      </section>
      <section className="card">
        <h2>Anomaly score over time</h2>
        <p className="muted">
          Each row's score by <code>{t.time_column}</code>; flagged rows (above the threshold) in red. Drag or
          scroll to zoom.
        </p>
        <Chart option={chart} label="anomaly time line" height={380} />
      </section>
      <section className="card">
        <h2>Most anomalous rows</h2>
        {t.top.length === 0 ? (
          <Empty>No row could be scored.</Empty>
        ) : (
          <div className="grid-scroll">
            <table className="grid" data-testid="top-anomalies">
              <thead>
                <tr>
                  <th>{t.time_column}</th>
                  <th className="num">score</th>
                  {features.map((f) => (
                    <th key={f} className="num">
                      {f}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {t.top.map((row, i) => (
                  <tr key={i}>
                    <td>{new Date(row.t).toLocaleString()}</td>
                    <td className="num">{formatNumber(row.score)}</td>
                    {features.map((f) => (
                      <td key={f} className="num">
                        {formatCell(row.values[f])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function timelineChart(t: AnomalyTimeline): ChartOption {
  const all = t.points.t.map((at, i) => [at, t.points.score[i]]);
  const flagged = all.filter((_, i) => t.points.flagged[i] === 1);
  return {
    grid: { ...baseGrid, top: 48, bottom: 64 },
    legend: { top: 0, type: 'scroll' },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; value: [string, number] }) =>
        `${new Date(p.value[0]).toLocaleString()}<br>${p.seriesName === 'flagged' ? 'flagged, ' : ''}score ${formatNumber(p.value[1])}`,
    },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'score', scale: true },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
    series: [
      {
        name: 'score',
        type: 'line',
        data: all,
        symbol: 'none',
        lineStyle: { width: 1, color: '#4c78a8' },
        markLine:
          t.threshold === null
            ? undefined
            : {
                silent: true,
                symbol: 'none',
                label: { formatter: 'threshold' },
                lineStyle: { color: FLAGGED, type: 'dashed' },
                data: [{ yAxis: t.threshold }],
              },
      },
      { name: 'flagged', type: 'scatter', data: flagged, symbolSize: 7, itemStyle: { color: FLAGGED } },
    ],
  };
}

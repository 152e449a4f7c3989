import { useMemo } from 'react';
import type { SegmentView } from '../api/types';
import { useApi } from '../api/use-api';
import { baseGrid, Chart, type ChartOption } from '../components/chart';
import { ModelPicker } from '../components/model-picker';
import { clusterColor } from '../components/palette';
import { Async } from '../components/status';
import { Tile } from '../components/tile';
import { formatCell, formatCount, formatNumber, formatPercent } from '../format';

/** Points drawn in the scatter; the profiles cover every scored row. */
const POINTS = 3000;

export function SegmentsPage({ model }: { model: string | undefined }) {
  return (
    <>
      <h1>Segments</h1>
      <ModelPicker
        task="cluster"
        page="segments"
        model={model}
        none={
          <>
            No clustering model yet: train one with <code>task: cluster</code> and{' '}
            <code>params.projection: pca</code>.
          </>
        }
      >
        {(name) => <Segments key={name} model={name} />}
      </ModelPicker>
    </>
  );
}

function Segments({ model }: { model: string }) {
  const state = useApi<SegmentView>(`/v1/segments/${encodeURIComponent(model)}?points=${POINTS}`);
  return (
    <Async state={state} what="Scoring the table">
      {(view) => <SegmentsBody view={view} />}
    </Async>
  );
}

function SegmentsBody({ view }: { view: SegmentView }) {
  const scatter = useMemo(() => scatterChart(view), [view]);
  const sampled = view.scored_rows < view.total_rows;
  return (
    <>
      <section className="tiles">
        <Tile value={formatCount(view.clusters.length)} label="segments" />
        <Tile value={formatCount(view.total_rows)} label={`rows in ${view.source}`} />
        <Tile value={`v${view.version}`} label={view.algorithm} />
      </section>
      <section className="card">
        <h2>Customers by segment</h2>
        <p className="muted">
          Each dot is a row of <code>{view.source}</code> placed by the model's 2-D projection and coloured by
          its segment; {formatCount(view.points.x.length)} of {formatCount(view.scored_rows)} rows shown.
        </p>
        <Chart option={scatter} label="segments scatter" height={420} />
      </section>
      <section className="card">
        <h2>Segment profiles</h2>
        <p className="muted">
          Size and the mean of each feature per segment
          {sampled ? `, over a seeded sample of ${formatCount(view.scored_rows)} rows` : ', over every row'}.
        </p>
        <div className="grid-scroll">
          <table className="grid" data-testid="segment-profiles">
            <thead>
              <tr>
                <th>Segment</th>
                <th className="num">Rows</th>
                <th className="num">Share</th>
                {view.features.map((f) => (
                  <th key={f} className="num">
                    {f}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.clusters.map((c) => (
                <tr key={c.cluster}>
                  <td>
                    <span className="swatch" style={{ background: clusterColor(c.cluster) }} />
                    {segmentName(c.cluster)}
                  </td>
                  <td className="num">{formatCount(c.size)}</td>
                  <td className="num">{formatPercent(c.share)}</td>
                  {view.features.map((f) => (
                    <td key={f} className="num">
                      {formatCell(c.values[f])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function segmentName(cluster: number): string {
  return cluster < 0 ? 'Noise' : `Segment ${cluster}`;
}

function scatterChart(view: SegmentView): ChartOption {
  const byCluster = new Map<number, [number, number][]>();
  view.points.cluster.forEach((c, i) => {
    const list = byCluster.get(c) ?? [];
    list.push([view.points.x[i], view.points.y[i]]);
    byCluster.set(c, list);
  });
  const clusters = [...byCluster.keys()].sort((a, b) => a - b);
  return {
    grid: { ...baseGrid, top: 48 },
    legend: { top: 0, type: 'scroll' },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; value: [number, number] }) =>
        `${p.seriesName}<br>x ${formatNumber(p.value[0])}, y ${formatNumber(p.value[1])}`,
    },
    xAxis: { type: 'value', name: 'x', scale: true },
    yAxis: { type: 'value', name: 'y', scale: true },
    series: clusters.map((c) => ({
      name: segmentName(c),
      type: 'scatter',
      symbolSize: 5,
      data: byCluster.get(c),
      itemStyle: { color: clusterColor(c), opacity: 0.7 },
    })),
  };
}

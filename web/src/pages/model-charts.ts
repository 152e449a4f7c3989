import type { ModelCard } from '../api/types';
import { baseGrid, type ChartOption } from '../components/chart';
import { formatCount, formatNumber } from '../format';

type Evaluation = NonNullable<ModelCard['evaluation']>;
type Curves = NonNullable<Evaluation['curves']>;

const diagonal = {
  type: 'line',
  data: [
    [0, 0],
    [1, 1],
  ],
  lineStyle: { type: 'dashed', color: '#999' },
  symbol: 'none',
  silent: true,
};

function unitAxes(x: string, y: string) {
  return {
    xAxis: { type: 'value', min: 0, max: 1, name: x, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', min: 0, max: 1, name: y },
  };
}

export function rocChart(roc: Curves['roc']): ChartOption {
  return {
    grid: baseGrid,
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
    ...unitAxes('false positive rate', 'true positive rate'),
    series: [
      {
        type: 'line',
        data: roc.fpr.map((x, i) => [x, roc.tpr[i]]),
        symbol: 'none',
        areaStyle: { opacity: 0.1 },
      },
      diagonal,
    ],
  };
}

export function prChart(pr: Curves['pr']): ChartOption {
  return {
    grid: baseGrid,
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
    ...unitAxes('recall', 'precision'),
    series: [
      {
        type: 'line',
        data: pr.recall.map((x, i) => [x, pr.precision[i]]),
        symbol: 'none',
        itemStyle: { color: '#f58518' },
      },
    ],
  };
}

export function calibrationChart(c: Curves['calibration']): ChartOption {
  return {
    grid: baseGrid,
    tooltip: { trigger: 'item' },
    ...unitAxes('mean predicted probability', 'observed rate'),
    series: [
      {
        type: 'line',
        data: c.mean_predicted.map((x, i) => ({ value: [x, c.observed_rate[i]], count: c.count[i] })),
        symbolSize: 7,
        itemStyle: { color: '#54a24b' },
      },
      diagonal,
    ],
  };
}

export function confusionChart(confusion: NonNullable<Evaluation['confusion']>): ChartOption {
  const { labels, counts } = confusion;
  const data: [number, number, number][] = [];
  let max = 0;
  counts.forEach((row, actual) =>
    row.forEach((n, predicted) => {
      data.push([predicted, actual, n]);
      max = Math.max(max, n);
    }),
  );
  return {
    grid: { ...baseGrid, bottom: 48 },
    tooltip: {
      formatter: (p: { value: [number, number, number] }) =>
        `actual ${labels[p.value[1]]}, predicted ${labels[p.value[0]]}: ${formatCount(p.value[2])}`,
    },
    xAxis: { type: 'category', data: labels, name: 'predicted', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'category', data: labels, name: 'actual', inverse: true },
    visualMap: { min: 0, max, show: false, inRange: { color: ['#f1f5fb', '#2a5a8c'] } },
    series: [
      {
        type: 'heatmap',
        data,
        label: { show: true, formatter: (p: { value: number[] }) => formatCount(p.value[2]) },
      },
    ],
  };
}

export function importanceChart(importance: NonNullable<Evaluation['importance']>, top = 15): ChartOption {
  const shown = importance.slice(0, top);
  return {
    grid: { ...baseGrid, left: 8 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', inverse: true, data: shown.map((i) => i.feature) },
    series: [{ type: 'bar', data: shown.map((i) => i.importance), itemStyle: { color: '#4c78a8' } }],
  };
}

export function residualChart(residuals: NonNullable<Evaluation['residuals']>): ChartOption {
  return {
    grid: baseGrid,
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: 'actual', scale: true, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: 'predicted', scale: true },
    series: [
      { type: 'scatter', symbolSize: 4, data: residuals.actual.map((a, i) => [a, residuals.predicted[i]]) },
    ],
  };
}

/** Contributions of one row's features to its score (SHAP), largest magnitude at the top. */
export function contributionChart(
  top: { feature: string; value: unknown; contribution: number }[],
): ChartOption {
  const labels = top.map(
    (t) => `${t.feature} = ${typeof t.value === 'number' ? formatNumber(t.value) : String(t.value)}`,
  );
  return {
    grid: { ...baseGrid, left: 8 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
    xAxis: { type: 'value', name: 'contribution' },
    yAxis: { type: 'category', inverse: true, data: labels },
    series: [
      {
        type: 'bar',
        data: top.map((t) => ({
          value: t.contribution,
          itemStyle: { color: t.contribution >= 0 ? '#e45756' : '#4c78a8' },
        })),
      },
    ],
  };
}

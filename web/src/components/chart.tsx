import type { EChartsCoreOption } from 'echarts/core';
import { lazy, Suspense } from 'react';

export type ChartOption = EChartsCoreOption;

export interface ChartProps {
  option: ChartOption;
  height?: number;
  label: string;
}

const EChart = lazy(() => import('./echart'));

/** A chart drawn by ECharts, which loads with the first chart shown; its box keeps its height meanwhile. */
export function Chart(props: ChartProps) {
  return (
    <Suspense fallback={<div className="chart-pending" style={{ height: props.height ?? 260 }} />}>
      <EChart {...props} />
    </Suspense>
  );
}

/** Axis and grid defaults shared by the dashboard's charts. */
export const baseGrid = { left: 48, right: 16, top: 28, bottom: 36, containLabel: true };

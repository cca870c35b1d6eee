/**
 * ECharts for the console, registered once: bar, line and pie charts on the canvas renderer, with the grid,
 * tooltip, legend, title and dataset components. Pages use `<VChart :option="…" autoresize />` and keep the
 * same figures in a table beside the chart (a chart alone says nothing to a screen reader).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import VChart from 'vue-echarts'

use([
  BarChart,
  LineChart,
  PieChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
])

/** The club's colours for series, in order. */
export const PALETTE = ['#c8102e', '#2f6fb3', '#e6a23c', '#67c23a', '#8e5cc2', '#5f6368']

export { VChart }

/** ECharts with only what the reports draw (tree-shaken `echarts/core`): bars and lines on a grid, on canvas. */
import { BarChart, LineChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import 'vue-echarts/style.css'

use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer])

export { default as VChart } from 'vue-echarts'

/** The club's palette, from five-star down (the seed's tables in the same order). */
export const PALETTE = ['#c8102e', '#e6a23c', '#409eff', '#67c23a', '#909399', '#9b59b6', '#16a085']

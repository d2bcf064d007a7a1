// The parts of ECharts the console draws, and nothing else: line charts (sparklines, trends, goal forecasts), bar charts and
// the experiments' interval charts (a custom series for each interval's whiskers, a scatter point for its estimate), with grid,
// tooltip, legend and mark lines, on the canvas renderer: shapes and text are drawn, not styled elements, so the console's strict CSP (style-src 'self', no inline styles) has nothing to block (tooltips use richText for the same reason).
import * as echarts from 'echarts/core';
import { LineChart, BarChart, CustomChart, ScatterChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, CustomChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent, CanvasRenderer]);

export const init = echarts.init;
export const getInstanceByDom = echarts.getInstanceByDom;
export const version = echarts.version;

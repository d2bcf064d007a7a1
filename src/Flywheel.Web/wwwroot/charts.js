// Charts through ECharts (bundled from npm into /console/vendor/echarts.js by the build, loaded on first use). Each chart's
// container is an image to assistive technology, labelled with what it shows in words (the numbers are on the page as text too).
import * as format from './format.js';
import { t } from './i18n.js';

let library = null;
const load = () => (library ??= import('./vendor/echarts.js'));

/** Starts loading the chart library without waiting for it (a page calls this before its own API calls). */
export function preloadCharts() {
  load().catch(() => {});
}

/** Draws with ECharts, or, when the console was built without Node.js (no chart bundle), says so in the chart's box. */
async function withLibrary(container, drawWith) {
  let echarts;
  try {
    echarts = await load();
  } catch {
    container.classList.add('chart-missing');
    container.textContent = t('chart.missing');
    return null;
  }
  return drawWith(echarts);
}

const INK = '#1f2937';
const ACCENT = '#1d4ed8';
const MUTED = '#6b7280';

function chartOn(echarts, container) {
  return echarts.getInstanceByDom(container) ?? echarts.init(container, null, { renderer: 'canvas' });
}

/** Keeps charts the size of their boxes when the window changes. */
const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
  if (!library) return;
  library.then((echarts) => entries.forEach((entry) => echarts.getInstanceByDom(entry.target)?.resize()), () => {});
});

/**
 * A sparkline: one series of values (null = no data that day) with no axes, in a small box. The container gets role=img and
 * `label` as its name; data-points holds the values drawn, so a test can compare them with the API's.
 */
export async function sparkline(container, values, label) {
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', label);
  container.dataset.points = JSON.stringify(values);
  return withLibrary(container, (echarts) => drawSparkline(echarts, container, values));
}

function drawSparkline(echarts, container, values) {
  const chart = chartOn(echarts, container);
  chart.setOption({
    animation: false,
    grid: { left: 1, right: 1, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, boundaryGap: false, data: values.map((_, i) => i) },
    yAxis: { type: 'value', show: false, scale: true },
    series: [{ type: 'line', data: values, showSymbol: false, lineStyle: { width: 1.5, color: ACCENT }, areaStyle: { color: 'rgba(29,78,216,0.08)' } }],
  }, true);
  observer?.observe(container);
  return chart;
}

/**
 * A line chart over categories `x` (dates): series [{name, values, dashed}] with a legend and tooltip, and optionally a
 * horizontal line `mark` ({value, name}, e.g. a goal's target); `kind` formats the axis and tooltip (money, count, percent,
 * ratio) in `currency`. data-points holds the series drawn.
 */
export async function lineChart(container, { x, series, kind = 'count', currency = 'CNY', label, mark = null }) {
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', label);
  container.dataset.points = JSON.stringify(series.map((s) => ({ name: s.name, values: s.values })));
  return withLibrary(container, (echarts) => drawLines(echarts, container, { x, series, kind, currency, mark }));
}

function drawLines(echarts, container, { x, series, kind, currency, mark }) {
  const chart = chartOn(echarts, container);
  const show = (value) => format.show(kind, value, currency);
  chart.setOption({
    animation: false,
    color: [ACCENT, '#b45309', '#047857', '#7c3aed', '#be185d', '#0e7490'],
    textStyle: { color: INK, fontFamily: 'system-ui, "Noto Sans CJK SC", sans-serif' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, textStyle: { color: INK } },
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: show },
    xAxis: { type: 'category', data: x, axisLabel: { color: MUTED }, axisLine: { lineStyle: { color: MUTED } } },
    yAxis: { type: 'value', axisLabel: { color: MUTED, formatter: (v) => (kind === 'money' ? format.compactMoney(v, currency) : show(v)) } },
    series: series.map((s, i) => ({
      name: s.name, type: 'line', data: s.values, showSymbol: false, connectNulls: false,
      lineStyle: { width: 2, type: s.dashed ? 'dashed' : 'solid' },
      markLine: i === 0 && mark ? {
        symbol: 'none', silent: true, lineStyle: { color: '#b91c1c', type: 'dotted' },
        label: { formatter: `${mark.name} ${show(mark.value)}`, color: '#b91c1c', position: 'insideEndTop' },
        data: [{ yAxis: mark.value }],
      } : undefined,
    })),
  }, true);
  observer?.observe(container);
  return chart;
}

/**
 * Intervals against zero (a forest plot): one row per item [{name, effect, low, high}] drawn as a point with its interval as a
 * horizontal bar, and a vertical line at zero; `kind` formats the axis (percent for relative lift). data-points holds the rows
 * drawn, so a test can compare them with the API's.
 */
export async function intervalChart(container, { rows, kind = 'percent', label }) {
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', label);
  container.dataset.points = JSON.stringify(rows);
  return withLibrary(container, (echarts) => drawIntervals(echarts, container, rows, kind));
}

function drawIntervals(echarts, container, rows, kind) {
  const chart = chartOn(echarts, container);
  const show = (value) => format.show(kind, value);
  const names = rows.map((r) => r.name);
  chart.setOption({
    animation: false,
    textStyle: { color: INK, fontFamily: 'system-ui, "Noto Sans CJK SC", sans-serif' },
    grid: { left: 8, right: 24, top: 12, bottom: 8, containLabel: true },
    tooltip: { trigger: 'item', renderMode: 'richText',
      formatter: (p) => { const r = rows[p.dataIndex]; return `${r.name}: ${show(r.effect)} [${show(r.low)}, ${show(r.high)}]`; } },
    xAxis: { type: 'value', scale: true, axisLabel: { color: MUTED, formatter: show }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { color: INK }, axisLine: { lineStyle: { color: MUTED } } },
    series: [
      {
        type: 'custom', name: 'interval', data: rows.map((r, i) => [r.low, r.high, i]),
        renderItem: (params, api) => {
          const low = api.coord([api.value(0), api.value(2)]);
          const high = api.coord([api.value(1), api.value(2)]);
          const cap = 6;
          const style = { stroke: ACCENT, lineWidth: 2 };
          return { type: 'group', children: [
            { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
            { type: 'line', shape: { x1: low[0], y1: low[1] - cap, x2: low[0], y2: low[1] + cap }, style },
            { type: 'line', shape: { x1: high[0], y1: high[1] - cap, x2: high[0], y2: high[1] + cap }, style },
          ] };
        },
        encode: { x: [0, 1], y: 2 },
        markLine: { symbol: 'none', silent: true, lineStyle: { color: '#b91c1c', type: 'dashed' }, label: { show: false }, data: [{ xAxis: 0 }] },
      },
      { type: 'scatter', name: 'effect', data: rows.map((r, i) => [r.effect, i]), symbolSize: 10, itemStyle: { color: INK } },
    ],
  }, true);
  observer?.observe(container);
  return chart;
}

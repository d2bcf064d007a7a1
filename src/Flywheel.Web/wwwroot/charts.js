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

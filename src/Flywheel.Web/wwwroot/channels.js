// Channels: each channel's traffic, conversion and cost for the range (GET /v1/metrics?by=channel), in a table sortable by any
// column, and the largest channels' GMV by day.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import { dataTable } from './table.js';
import { lineChart, preloadCharts } from './charts.js';
import { range, ensureRange, rangeControls, loading } from './range.js';

// Columns in order, grouped as traffic, conversion and cost, with how each is shown. `key` is the channel's name.
export const COLUMNS = [
  ['key', 'text'],
  ['uv', 'count'], ['sessions', 'count'], ['clicks', 'count'],
  ['orders', 'count'], ['buyers', 'count'], ['cvr', 'percent'], ['gmv', 'money'], ['aov', 'money'],
  ['spend', 'money'], ['cpc', 'money'], ['roi', 'ratio'], ['cac', 'money'],
];

// Sorted by GMV, largest first, until the user picks another column. Survives re-renders (language, range).
const sort = { column: 'gmv', direction: 'descending' };

export async function render(main) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('channels.title') }), status.node);
  try {
    await ensureRange();
    const query = new URLSearchParams({ from: range.from, to: range.to, by: 'channel' });
    const report = await api.get(`/v1/metrics?${query}`);
    const currency = report.currency ?? 'CNY';
    preloadCharts();
    const trend = el('div', { id: 'channels-trend', class: 'chart trend' });
    const holder = dataTable({
      id: 'channels-table',
      caption: t('channels.caption'),
      exportName: `channels-${report.from}-${report.to}`,
      columns: COLUMNS.map(([key, kind]) => ({ key, kind, label: t('channels.col.' + key), header: key === 'key' })),
      rows: report.rows,
      currency,
      sort,
      empty: t('channels.empty'),
    });
    main.replaceChildren(
      el('h1', { text: t('channels.title') }),
      rangeControls(() => render(main)),
      el('p', { id: 'range-note', class: 'note', 'data-from': report.from, 'data-to': report.to, 'data-currency': currency },
        t('channels.note', { from: report.from, to: report.to, tz: report.time_zone ?? '', end: range.dataEnd })),
      holder,
      el('section', { class: 'panel', 'aria-labelledby': 'channels-trend-title' },
        el('h2', { id: 'channels-trend-title', text: t('channels.trend', { n: TREND_CHANNELS }) }), trend));
    await drawTrend(trend, report, currency);
  } catch (e) {
    status.fail(e);
  }
}

/** How many channels (the largest by GMV in the range) the trend chart draws. */
const TREND_CHANNELS = 6;

/** Each of the largest channels' GMV by day (GET /v1/metrics?by=day&channel=X), one line each. */
async function drawTrend(container, report, currency) {
  const top = [...report.rows].filter((r) => r.key).sort((a, b) => (b.gmv ?? 0) - (a.gmv ?? 0)).slice(0, TREND_CHANNELS);
  const days = await Promise.all(top.map((row) => api.get(`/v1/metrics?${new URLSearchParams({ from: report.from, to: report.to, by: 'day', channel: row.key })}`)));
  const dates = days[0]?.rows.map((d) => d.key) ?? [];
  await lineChart(container, {
    x: dates,
    series: top.map((row, i) => {
      const byDay = new Map(days[i].rows.map((d) => [d.key, d.gmv ?? null]));
      return { name: row.key, values: dates.map((d) => byDay.get(d) ?? null) };
    }),
    kind: 'money',
    currency,
    label: t('channels.trend', { n: top.length }),
  });
}

// The overview: KPI cards for a date range, each with a daily sparkline and its change against the previous period of the same
// length and against the same dates a year earlier, plus the daily GMV and orders trend. While the page is open it asks the API
// again every few seconds (the index takes each ingested batch as it commits, so new data shows without a rebuild) and follows
// the data's last day when a preset is in use.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { sparkline, lineChart, preloadCharts } from './charts.js';
import { range, ensureRange, followDataEnd, rangeControls, loading } from './range.js';

// GET /v1/metrics's compared KPIs (KpiJson.ComparedKpis), in card order, with how each is shown.
const KPIS = [
  ['gmv', 'money'], ['orders', 'count'], ['buyers', 'count'], ['uv', 'count'], ['cvr', 'percent'],
  ['aov', 'money'], ['repurchase_rate', 'percent'], ['spend', 'money'], ['roi', 'ratio'], ['cac', 'money'],
];
// Lower is better for these: a rise is shown as bad.
const LOWER_IS_BETTER = new Set(['spend', 'cac']);

/** Seconds between refreshes while the page is visible. */
export const REFRESH_SECONDS = 2;

let refresh = null;
let firstDraw = true;

function stopRefresh() {
  if (refresh) clearInterval(refresh);
  refresh = null;
}

function changeLine(relative, cssClass, suffix, none, name) {
  const shown = format.change(relative);
  const trend = relative === null || relative === undefined || relative === 0 ? 'flat'
    : (relative > 0) !== LOWER_IS_BETTER.has(name) ? 'up' : 'down';
  return el('p', { class: `${cssClass} ${trend}` }, shown === null ? none : `${shown} ${suffix}`);
}

function card(name, kind, row, currency) {
  return el('li', { class: 'kpi', 'data-kpi': name, 'aria-labelledby': `kpi-${name}-label` },
    el('h2', { id: `kpi-${name}-label`, class: 'kpi-label', text: t('kpi.' + name) }),
    el('p', { class: 'kpi-value', text: format.show(kind, row[name], currency) }),
    el('div', { class: 'kpi-spark', id: `kpi-${name}-spark` }),
    changeLine(row.change?.previous?.[name]?.relative ?? null, 'kpi-change', t('change.vs'), t('change.none'), name),
    changeLine(row.change?.yoy?.[name]?.relative ?? null, 'kpi-yoy', t('change.yoy'), t('change.yoy.none'), name));
}

async function fetchReports() {
  const query = new URLSearchParams({ from: range.from, to: range.to, compare: 'previous,yoy' });
  const daily = new URLSearchParams({ from: range.from, to: range.to, by: 'day' });
  const [report, days] = await Promise.all([api.get(`/v1/metrics?${query}`), api.get(`/v1/metrics?${daily}`)]);
  return { report, days };
}

/** Draws the cards, their sparklines and the trend chart; resolves when every chart is drawn. */
async function draw(list, trend, { report, days }) {
  const row = report.rows[0] ?? {};
  const currency = report.currency ?? 'CNY';
  list.replaceChildren(...KPIS.map(([name, kind]) => card(name, kind, row, currency)));
  const dates = days.rows.map((d) => d.key);
  const charts = KPIS.map(([name]) => sparkline(list.querySelector(`#kpi-${name}-spark`), days.rows.map((d) => d[name] ?? null),
    t('kpi.trend', { kpi: t('kpi.' + name), from: report.from, to: report.to })));
  charts.push(lineChart(trend, {
    x: dates,
    series: [
      { name: t('kpi.gmv'), values: days.rows.map((d) => d.gmv ?? null) },
    ],
    kind: 'money',
    currency,
    label: t('overview.trend'),
  }));
  await Promise.all(charts);
  list.dataset.asOf = report.to;
  list.dataset.refreshedAt = String(Math.round(performance.now()));
}

export async function render(main) {
  stopRefresh();
  preloadCharts(); // the chart library downloads while the reports are asked

  const status = loading();
  main.replaceChildren(el('h1', { text: t('overview.title') }), status.node);
  try {
    await ensureRange();
    let reports = await fetchReports();
    const { report } = reports;
    const previous = report.compare?.previous ?? {};
    const yoy = report.compare?.yoy ?? {};
    const list = el('ul', { id: 'kpis', class: 'kpis' });
    const trend = el('div', { id: 'overview-trend', class: 'chart trend' });
    const live = el('p', { id: 'overview-live', class: 'note' });
    main.replaceChildren(
      el('h1', { text: t('overview.title') }),
      rangeControls(() => render(main)),
      el('p', { id: 'range-note', class: 'note', 'data-from': report.from, 'data-to': report.to, 'data-currency': report.currency ?? 'CNY' },
        t('range.note', { from: report.from, to: report.to, tz: report.time_zone ?? '', pfrom: previous.from ?? '—', pto: previous.to ?? '—', end: range.dataEnd }),
        yoy.from ? ` ${t('change.yoy')}: ${yoy.from} – ${yoy.to}` : ''),
      list,
      el('section', { class: 'panel', 'aria-labelledby': 'overview-trend-title' },
        el('h2', { id: 'overview-trend-title', text: t('overview.trend') }), trend),
      live);
    await draw(list, trend, reports);
    const stamp = () => { live.textContent = t('overview.live', { n: REFRESH_SECONDS, time: new Date().toLocaleTimeString() }); };
    stamp();
    if (firstDraw) {
      firstDraw = false;
      performance.mark('overview:rendered');
    }

    // Live numbers: ask again every few seconds while this page is the one shown and the tab is visible; redraw only what
    // changed. A preset range follows the data's last day (a new day of data moves it); the controls are then rebuilt.
    let last = JSON.stringify(reports);
    let busy = false;
    refresh = setInterval(async () => {
      if (!list.isConnected) {
        stopRefresh();
        return;
      }
      if (document.hidden || busy) return;
      busy = true;
      try {
        // One round trip: where the data ends and the range's reports are asked together (each waits for the same index append).
        const [probe, fresh] = await Promise.all([api.get('/v1/metrics'), fetchReports()]);
        if (await followDataEnd(probe)) {
          await render(main);
          return;
        }
        reports = fresh;
        const text = JSON.stringify(reports);
        if (text !== last && list.isConnected) {
          last = text;
          await draw(list, trend, reports);
        }
        stamp();
      } catch {
        // A failed refresh keeps the figures shown; the next tick tries again.
      } finally {
        busy = false;
      }
    }, REFRESH_SECONDS * 1000);
  } catch (e) {
    status.fail(e);
  }
}

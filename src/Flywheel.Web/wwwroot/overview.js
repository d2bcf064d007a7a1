// The overview: KPI cards for a date range, each with its change against the previous period of the same length.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { range, ensureRange, rangeControls } from './range.js';

// GET /v1/metrics's compared KPIs (KpiJson.ComparedKpis), in card order, with how each is shown.
const KPIS = [
  ['gmv', 'money'], ['orders', 'count'], ['buyers', 'count'], ['uv', 'count'], ['cvr', 'percent'],
  ['aov', 'money'], ['repurchase_rate', 'percent'], ['spend', 'money'], ['roi', 'ratio'], ['cac', 'money'],
];
// Lower is better for these: a rise is shown as bad.
const LOWER_IS_BETTER = new Set(['spend', 'cac']);

function show(kind, value, currency) {
  switch (kind) {
    case 'money': return format.money(value, currency);
    case 'percent': return format.percent(value);
    case 'ratio': return format.ratio(value);
    default: return format.count(value);
  }
}

function card(name, kind, row, currency) {
  const relative = row.change?.previous?.[name]?.relative ?? null;
  const shown = format.change(relative);
  const good = relative === null || relative === 0 ? 'flat' : (relative > 0) !== LOWER_IS_BETTER.has(name) ? 'up' : 'down';
  return el('li', { class: 'kpi', 'data-kpi': name, 'aria-labelledby': `kpi-${name}-label` },
    el('h2', { id: `kpi-${name}-label`, class: 'kpi-label', text: t('kpi.' + name) }),
    el('p', { class: 'kpi-value', text: show(kind, row[name], currency) }),
    el('p', { class: `kpi-change ${good}` },
      shown === null ? t('change.none') : `${shown} ${t('change.vs')}`));
}

export async function render(main) {
  const status = el('p', { class: 'loading', role: 'status', text: t('loading') });
  main.replaceChildren(el('h1', { text: t('overview.title') }), status);
  try {
    await ensureRange();
    const query = new URLSearchParams({ from: range.from, to: range.to, compare: 'previous' });
    const report = await api.get(`/v1/metrics?${query}`);
    const row = report.rows[0] ?? {};
    const previous = report.compare?.previous ?? {};
    main.replaceChildren(
      el('h1', { text: t('overview.title') }),
      rangeControls(() => render(main)),
      el('p', { id: 'range-note', class: 'note', 'data-from': report.from, 'data-to': report.to, 'data-currency': report.currency ?? 'CNY' },
        t('range.note', { from: report.from, to: report.to, tz: report.time_zone ?? '', pfrom: previous.from ?? '—', pto: previous.to ?? '—', end: range.dataEnd })),
      el('ul', { id: 'kpis', class: 'kpis' }, KPIS.map(([name, kind]) => card(name, kind, row, report.currency ?? 'CNY'))));
  } catch (e) {
    status.className = 'error';
    status.setAttribute('role', 'alert');
    status.textContent = t('error.load') + e.message;
  }
}

// The overview: KPI cards for a date range, each with its change against the previous period of the same length.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';

// GET /v1/metrics's compared KPIs (KpiJson.ComparedKpis), in card order, with how each is shown.
const KPIS = [
  ['gmv', 'money'], ['orders', 'count'], ['buyers', 'count'], ['uv', 'count'], ['cvr', 'percent'],
  ['aov', 'money'], ['repurchase_rate', 'percent'], ['spend', 'money'], ['roi', 'ratio'], ['cac', 'money'],
];
// Lower is better for these: a rise is shown as bad.
const LOWER_IS_BETTER = new Set(['spend', 'cac']);

const state = { preset: '30', from: null, to: null, dataEnd: null };

const day = (text) => new Date(`${text}T00:00:00Z`);
const text = (date) => date.toISOString().slice(0, 10);
const addDays = (date, n) => new Date(date.getTime() + n * 86400000);

/** The range of a preset, ending on the last day with data. */
export function presetRange(preset, dataEnd) {
  const end = day(dataEnd);
  if (preset === 'quarter') {
    const start = new Date(Date.UTC(end.getUTCFullYear(), Math.floor(end.getUTCMonth() / 3) * 3, 1));
    return { from: text(start), to: dataEnd };
  }
  return { from: text(addDays(end, -(Number(preset) - 1))), to: dataEnd };
}

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

function controls(onApply) {
  const select = el('select', { id: 'range-preset', name: 'preset' },
    ['7', '30', '90', 'quarter', 'custom'].map((p) => el('option', { value: p, selected: p === state.preset, text: t('range.' + p) })));
  const from = el('input', { id: 'range-from', type: 'date', value: state.from, max: state.dataEnd });
  const to = el('input', { id: 'range-to', type: 'date', value: state.to, max: state.dataEnd });
  select.addEventListener('change', () => {
    state.preset = select.value;
    if (select.value !== 'custom') {
      Object.assign(state, presetRange(select.value, state.dataEnd));
      onApply();
    }
  });
  const form = el('form', { id: 'range', class: 'range', 'aria-label': t('range.label') },
    el('label', { for: 'range-preset', text: t('range.label') }), select,
    el('label', { for: 'range-from', text: t('range.from') }), from,
    el('label', { for: 'range-to', text: t('range.to') }), to,
    el('button', { type: 'submit', id: 'range-apply', text: t('range.apply') }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.preset = 'custom';
    state.from = from.value;
    state.to = to.value;
    onApply();
  });
  return form;
}

export async function renderOverview(main) {
  const status = el('p', { class: 'loading', role: 'status', text: t('loading') });
  main.replaceChildren(el('h1', { text: t('overview.title') }), status);
  try {
    if (!state.dataEnd) {
      // Without a range the API answers for the last 30 days with data: its `to` is the last day with data.
      const probe = await api.get('/v1/metrics');
      state.dataEnd = probe.to;
      Object.assign(state, presetRange(state.preset, state.dataEnd));
    }
    const query = new URLSearchParams({ from: state.from, to: state.to, compare: 'previous' });
    const report = await api.get(`/v1/metrics?${query}`);
    const row = report.rows[0] ?? {};
    const previous = report.compare?.previous ?? {};
    main.replaceChildren(
      el('h1', { text: t('overview.title') }),
      controls(() => renderOverview(main)),
      el('p', { id: 'range-note', class: 'note', 'data-from': report.from, 'data-to': report.to, 'data-currency': report.currency ?? 'CNY' },
        t('range.note', { from: report.from, to: report.to, tz: report.time_zone ?? '', pfrom: previous.from ?? '—', pto: previous.to ?? '—', end: state.dataEnd })),
      el('ul', { id: 'kpis', class: 'kpis' }, KPIS.map(([name, kind]) => card(name, kind, row, report.currency ?? 'CNY'))));
  } catch (e) {
    status.className = 'error';
    status.setAttribute('role', 'alert');
    status.textContent = t('error.load') + e.message;
  }
}

// Cohorts: a retention heat map (POST /v1/cohorts) by week or month of entry for the shared range. Rows are cohorts with their
// size, columns periods 0..N after entry, cells the share of the cohort active in that period, shaded by the share.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { range, ensureRange, rangeControls, loading } from './range.js';

// The entries and returns the API takes that matter to a growth team. The API also takes first:<event_type>; the first visit
// (first:page_view) is the one offered here.
export const ENTRIES = ['first_purchase', 'signup', 'first:page_view'];
export const RETURNS = ['purchase', 'any'];
export const PERIOD_COUNTS = [4, 8, 12, 24];
export const SHADES = 10;

// Kept across re-renders (language, range).
const state = { period: 'month', entry: 'first_purchase', return: 'purchase', periods: 12 };

/**
 * The shade of a rate: 0 for none, else 1..10 by the square root of the rate, so the low rates of later periods still differ
 * (shade k covers ((k-1)/10)² .. (k/10)²: 0-1%, 1-4%, 4-9% ... 81-100%). Text is dark on shades 0-5 and white on 6-10 (app.css).
 */
export function shade(rate) {
  if (rate === null || rate === undefined) return null;
  if (rate <= 0) return 0;
  return Math.min(SHADES, Math.max(1, Math.ceil(Math.sqrt(rate) * SHADES)));
}

const entryName = (entry) => t('cohorts.entry.' + entry.replace(':', '_'));

/** A cell's text: the rate as a percentage, * when the period is only partly observed, — when not observed yet. */
export function cellText(period) {
  if (!period || period.rate === null || period.rate === undefined) return format.EMPTY;
  return format.percent(period.rate) + (period.partial ? ' *' : '');
}

function select(id, name, values, current, label, onChange) {
  const node = el('select', { id, name },
    values.map((v) => el('option', { value: String(v), selected: String(v) === String(current), text: label(v) })));
  node.addEventListener('change', () => onChange(node.value));
  return node;
}

function controls(rerender) {
  const period = el('fieldset', { id: 'cohorts-period', class: 'toggle' },
    el('legend', { text: t('cohorts.period') }),
    ['week', 'month'].map((p) => {
      const id = `cohorts-period-${p}`;
      const input = el('input', { type: 'radio', id, name: 'cohorts-period', value: p, checked: state.period === p });
      input.addEventListener('change', () => {
        state.period = p;
        rerender(id);
      });
      return el('span', { class: 'toggle-option' }, input, el('label', { for: id, text: t('cohorts.period.' + p) }));
    }));
  const entry = select('cohorts-entry', 'entry', ENTRIES, state.entry, entryName, (v) => { state.entry = v; rerender('cohorts-entry'); });
  const returning = select('cohorts-return', 'return', RETURNS, state.return, (v) => t('cohorts.return.' + v),
    (v) => { state.return = v; rerender('cohorts-return'); });
  const periods = select('cohorts-periods', 'periods', PERIOD_COUNTS, state.periods, (n) => String(n),
    (v) => { state.periods = Number(v); rerender('cohorts-periods'); });
  return el('form', { id: 'cohorts-question', class: 'builder cohort-question', 'aria-label': t('cohorts.question') },
    period,
    el('label', { for: 'cohorts-entry', text: t('cohorts.entry') }), entry,
    el('label', { for: 'cohorts-return', text: t('cohorts.return') }), returning,
    el('label', { for: 'cohorts-periods', text: t('cohorts.periods') }), periods);
}

function legend() {
  const items = [];
  for (let k = 0; k <= SHADES; k++) {
    const text = k === 0 ? '0%' : `${((k - 1) ** 2)}–${k ** 2}%`;
    items.push(el('li', { class: `heat heat-${k}`, text }));
  }
  return el('div', { class: 'heat-legend' },
    el('span', { id: 'cohorts-legend-label', text: t('cohorts.legend') }),
    el('ul', { 'aria-labelledby': 'cohorts-legend-label' }, items));
}

function heatTable(answer, question) {
  const width = Math.max(0, ...answer.cohorts.map((c) => c.periods.length));
  const rows = answer.cohorts.map((c) => {
    const row = { cohort: c.cohort, size: c.size };
    c.periods.forEach((p) => { row[`p${p.offset}`] = p; });
    return row;
  });
  const columns = [
    { key: 'cohort', kind: 'text', label: t('cohorts.col.cohort.' + question.period), header: true },
    // No API lists a cohort's members, so its size is not a link.
    { key: 'size', kind: 'count', label: t('cohorts.col.size') },
  ];
  for (let k = 0; k < width; k++) {
    const key = `p${k}`;
    columns.push({
      key,
      kind: 'percent',
      label: t('cohorts.col.' + question.period, { n: k }),
      value: (row) => row[key]?.rate ?? null,
      text: (row) => cellText(row[key]),
      cellClass: (row) => {
        const s = shade(row[key]?.rate);
        return s === null ? 'heat heat-none' : `heat heat-${s}`;
      },
    });
  }
  return dataTable({
    id: 'cohorts-table',
    caption: t('cohorts.caption', {
      from: question.from, to: question.to, period: t('cohorts.period.' + question.period),
      entry: entryName(question.entry), return: t('cohorts.return.' + question.return),
    }),
    exportName: `cohorts-${question.period}-${question.from}-${question.to}`,
    columns,
    rows,
    rowKey: (row) => row.cohort,
    empty: t('cohorts.empty'),
  });
}

export async function render(main, _session, focusId) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('cohorts.title') }), status.node);
  const rerender = (id) => render(main, _session, id);
  try {
    await ensureRange();
    const question = { from: range.from, to: range.to, period: state.period, entry: state.entry, return: state.return, periods: state.periods };
    const answer = await api.post('/v1/cohorts', question);
    main.replaceChildren(
      el('h1', { text: t('cohorts.title') }),
      rangeControls(() => rerender()),
      el('p', { id: 'range-note', class: 'note', 'data-from': question.from, 'data-to': question.to, 'data-period': question.period,
        'data-entry': question.entry, 'data-return': question.return, 'data-periods': question.periods,
        text: t('cohorts.note', { from: question.from, to: question.to, end: range.dataEnd }) }),
      controls(rerender),
      legend(),
      heatTable(answer, question),
      el('p', { class: 'note', text: t('cohorts.footnote') }));
    // A control that re-rendered the page keeps the keyboard where it was.
    if (focusId) document.getElementById(focusId)?.focus();
  } catch (e) {
    status.fail(e);
  }
}

export const strings = {
  zh: {
    'cohorts.title': '留存分析',
    'cohorts.question': '留存口径',
    'cohorts.period': '分组周期', 'cohorts.period.week': '按周', 'cohorts.period.month': '按月',
    'cohorts.entry': '进入条件',
    'cohorts.entry.first_purchase': '首次购买', 'cohorts.entry.signup': '注册', 'cohorts.entry.first_page_view': '首次访问',
    'cohorts.return': '留存行为', 'cohorts.return.purchase': '再次购买', 'cohorts.return.any': '任意行为（访问或购买）',
    'cohorts.periods': '跟踪期数',
    'cohorts.note': '{from} 至 {to} 内进入的客户；预设按数据的最后一天（{end}）计算。',
    'cohorts.caption': '{from} 至 {to}，{period}分组，进入条件：{entry}，留存行为：{return}；每格为该期仍活跃的客户占比',
    'cohorts.col.cohort.week': '进入周（周一）', 'cohorts.col.cohort.month': '进入月',
    'cohorts.col.size': '客户数',
    'cohorts.col.week': '第 {n} 周', 'cohorts.col.month': '第 {n} 月',
    'cohorts.legend': '颜色深浅（按留存率的平方根分级）：',
    'cohorts.empty': '该时间范围内没有进入的客户。',
    'cohorts.footnote': '第 0 期包含进入行为本身。* 表示数据只覆盖该期的一部分；— 表示该期尚未开始。',
  },
  en: {
    'cohorts.title': 'Cohorts',
    'cohorts.question': 'Retention definition',
    'cohorts.period': 'Group by', 'cohorts.period.week': 'Week', 'cohorts.period.month': 'Month',
    'cohorts.entry': 'Entry',
    'cohorts.entry.first_purchase': 'First purchase', 'cohorts.entry.signup': 'Sign-up', 'cohorts.entry.first_page_view': 'First visit',
    'cohorts.return': 'Returning means', 'cohorts.return.purchase': 'Buying again', 'cohorts.return.any': 'Any activity (visit or purchase)',
    'cohorts.periods': 'Periods followed',
    'cohorts.note': 'Customers who entered from {from} to {to}; presets end on the last day with data ({end}).',
    'cohorts.caption': '{from} to {to}, by {period}, entry: {entry}, returning: {return}; each cell is the share of the cohort active in that period',
    'cohorts.col.cohort.week': 'Week of entry (Monday)', 'cohorts.col.cohort.month': 'Month of entry',
    'cohorts.col.size': 'Customers',
    'cohorts.col.week': 'Week {n}', 'cohorts.col.month': 'Month {n}',
    'cohorts.legend': 'Shade (by the square root of the rate):',
    'cohorts.empty': 'No customers entered in this range.',
    'cohorts.footnote': 'Period 0 includes the entry itself. * marks a period the data covers only in part; — a period not begun yet.',
  },
};

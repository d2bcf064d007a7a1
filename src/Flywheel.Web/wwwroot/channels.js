// Channels: each channel's traffic, conversion and cost for the range (GET /v1/metrics?by=channel), in a table sortable by any column.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
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

function show(kind, value, currency) {
  switch (kind) {
    case 'money': return format.money(value, currency);
    case 'percent': return format.percent(value);
    case 'ratio': return format.ratio(value);
    case 'count': return format.count(value);
    default: return value ?? format.EMPTY;
  }
}

/**
 * The rows in the table's order: by the column in the direction, a missing figure (null: the channel has no traffic or spend
 * to measure) always last, ties by channel name so the order never depends on the API's.
 */
export function sortRows(rows, column, direction) {
  const sign = direction === 'ascending' ? 1 : -1;
  const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return [...rows].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    if (x === null || x === undefined) return y === null || y === undefined ? byKey(a, b) : 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === 'string' ? (x < y ? -1 : x > y ? 1 : 0) : x - y;
    return order !== 0 ? sign * order : byKey(a, b);
  });
}

function table(rows, currency, rerender) {
  const head = el('tr', {}, COLUMNS.map(([name, kind]) => {
    const sorted = sort.column === name;
    const button = el('button', { type: 'button', class: 'sort', 'data-column': name },
      t('channels.col.' + name),
      el('span', { class: 'sort-mark', 'aria-hidden': 'true', text: sorted ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : '' }));
    button.addEventListener('click', () => {
      // A new column starts with the largest figures first (the channel name A to Z); a second click reverses.
      if (sort.column === name) sort.direction = sort.direction === 'ascending' ? 'descending' : 'ascending';
      else Object.assign(sort, { column: name, direction: kind === 'text' ? 'ascending' : 'descending' });
      rerender(name);
    });
    return el('th', { scope: 'col', class: kind === 'text' ? '' : 'num', 'data-column': name, 'aria-sort': sorted ? sort.direction : 'none' }, button);
  }));
  const body = sortRows(rows, sort.column, sort.direction).map((row) =>
    el('tr', { 'data-key': row.key }, COLUMNS.map(([name, kind]) => name === 'key'
      ? el('th', { scope: 'row', text: row.key })
      : el('td', { class: 'num', 'data-column': name, text: show(kind, row[name], currency) }))));
  return el('table', { id: 'channels-table', class: 'grid' },
    el('caption', { text: t('channels.caption') }),
    el('thead', {}, head),
    el('tbody', {}, body.length ? body : el('tr', {}, el('td', { colspan: COLUMNS.length, text: t('channels.empty') }))));
}

export async function renderChannels(main) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('channels.title') }), status.node);
  try {
    await ensureRange();
    const query = new URLSearchParams({ from: range.from, to: range.to, by: 'channel' });
    const report = await api.get(`/v1/metrics?${query}`);
    const currency = report.currency ?? 'CNY';
    const holder = el('div', { class: 'table-wrap' });
    const draw = (focusColumn) => {
      holder.replaceChildren(table(report.rows, currency, draw));
      // Re-drawing replaces the header buttons: keep the keyboard where the user was.
      if (focusColumn) holder.querySelector(`button.sort[data-column="${focusColumn}"]`)?.focus();
    };
    draw(null);
    main.replaceChildren(
      el('h1', { text: t('channels.title') }),
      rangeControls(() => renderChannels(main)),
      el('p', { id: 'range-note', class: 'note', 'data-from': report.from, 'data-to': report.to, 'data-currency': currency },
        t('channels.note', { from: report.from, to: report.to, tz: report.time_zone ?? '', end: range.dataEnd })),
      holder);
  } catch (e) {
    status.fail(e);
  }
}

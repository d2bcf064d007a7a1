// The console's one table: a caption, typed columns (shown with format.show), optional sorting by any column, links from a cell
// to the customers behind it, and an export bar that downloads exactly the rows shown as CSV (built here) or Excel (.xlsx,
// written by the server's POST /v1/exports/xlsx with MiniExcel: the browser sends the table, the server returns the workbook).
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';

/**
 * The rows in order: by the column in the direction, a missing figure always last, ties by the first column so the order never
 * depends on the API's.
 */
export function sortRows(rows, column, direction, tieKey) {
  const sign = direction === 'ascending' ? 1 : -1;
  const compare = (x, y) => (typeof x === 'string' || typeof y === 'string'
    ? (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0) : x - y);
  const byTie = (a, b) => (tieKey ? compare(a[tieKey] ?? '', b[tieKey] ?? '') : 0);
  return [...rows].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    const xMissing = x === null || x === undefined;
    const yMissing = y === null || y === undefined;
    if (xMissing) return yMissing ? byTie(a, b) : 1;
    if (yMissing) return -1;
    const order = compare(x, y);
    return order !== 0 ? sign * order : byTie(a, b);
  });
}

/** A cell's value in an export: money and rates as numbers (major units, fractions), text as shown. */
function exportValue(column, row) {
  const value = column.value ? column.value(row) : row[column.key];
  return value === undefined ? null : value;
}

/** CSV per RFC 4180, with a BOM so Excel opens the Chinese text as UTF-8; formula-looking text is quoted with a leading '. */
export function toCsv(columns, rows) {
  const cell = (value) => {
    if (value === null || value === undefined) return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  // Money keeps its two decimals (93.90, not 93.9), as the API writes it.
  const value = (c, row) => {
    const v = exportValue(c, row);
    return c.kind === 'money' && typeof v === 'number' ? v.toFixed(2) : v;
  };
  const lines = [columns.map((c) => cell(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(value(c, row))).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The CSV and Excel buttons on their own, for a table dataTable does not draw (a heat map): options {id, caption, exportName},
 * columns as dataTable's, rowsInOrder() the rows to write.
 */
export function exportBar(options, columns, rowsInOrder) {
  const name = options.exportName ?? options.id;
  const csv = el('button', { type: 'button', class: 'export', 'data-export': 'csv', text: t('export.csv') });
  const xlsx = el('button', { type: 'button', class: 'export', 'data-export': 'xlsx', text: t('export.xlsx') });
  const status = el('span', { class: 'export-status', role: 'status' });
  csv.addEventListener('click', () => {
    download(new Blob([toCsv(columns, rowsInOrder())], { type: 'text/csv;charset=utf-8' }), `${name}.csv`);
  });
  xlsx.addEventListener('click', async () => {
    status.textContent = '';
    try {
      const rows = rowsInOrder().map((row) => columns.map((c) => exportValue(c, row)));
      const blob = await api.postForBlob('/v1/exports/xlsx', { name, columns: columns.map((c) => c.label), rows });
      download(blob, `${name}.xlsx`);
    } catch (e) {
      status.className = 'export-status error';
      status.textContent = t('export.failed') + e.message;
    }
  });
  return el('div', { class: 'export-bar', role: 'group', 'aria-label': t('export.label', { table: options.caption }) },
    csv, xlsx, status);
}

/**
 * dataTable({ id, caption, columns, rows, currency, sort, empty, exportName, rowKey }) -> element (export bar + table).
 * columns: [{ key, label, kind ('text' | 'count' | 'money' | 'percent' | 'ratio' | 'duration'), header (the row's header cell),
 *   value(row) (optional: the raw value when not row[key]), href(row) (optional: a link, e.g. to the customers behind a number),
 *   text(row) (optional: the shown text when not format.show), cellClass(row) (optional: a class for the cell, e.g. a heat-map shade) }].
 * sort: a {column, direction} object the caller keeps across re-renders; absent = not sortable.
 */
export function dataTable(options) {
  const { id, caption, columns, rows, currency = 'CNY', sort, empty } = options;
  const holder = el('div', { class: 'table-block', 'data-table': id });
  const ordered = () => (sort ? sortRows(rows, sort.column, sort.direction, columns[0].key) : rows);
  const draw = (focusColumn) => {
    const head = el('tr', {}, columns.map((column) => {
      const numeric = column.kind && column.kind !== 'text';
      if (!sort) return el('th', { scope: 'col', class: numeric ? 'num' : '', 'data-column': column.key, text: column.label });
      const sorted = sort.column === column.key;
      const button = el('button', { type: 'button', class: 'sort', 'data-column': column.key },
        column.label,
        el('span', { class: 'sort-mark', 'aria-hidden': 'true', text: sorted ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : '' }));
      button.addEventListener('click', () => {
        // A new column starts with the largest figures first (text A to Z); a second click reverses.
        if (sort.column === column.key) sort.direction = sort.direction === 'ascending' ? 'descending' : 'ascending';
        else Object.assign(sort, { column: column.key, direction: numeric ? 'descending' : 'ascending' });
        draw(column.key);
      });
      return el('th', { scope: 'col', class: numeric ? 'num' : '', 'data-column': column.key, 'aria-sort': sorted ? sort.direction : 'none' }, button);
    }));
    const body = ordered().map((row) => el('tr', { 'data-key': options.rowKey ? options.rowKey(row) : row[columns[0].key] },
      columns.map((column) => {
        const numeric = column.kind && column.kind !== 'text';
        const shown = column.text ? column.text(row) : format.show(column.kind, row[column.key], currency);
        const href = column.href ? column.href(row) : null;
        const content = href ? el('a', { href, text: shown }) : shown;
        return column.header
          ? el('th', { scope: 'row', 'data-column': column.key }, content)
          : el('td', { class: [numeric ? 'num' : '', column.cellClass?.(row) ?? ''].join(' ').trim(), 'data-column': column.key }, content);
      })));
    const table = el('table', { id, class: 'grid' },
      el('caption', { text: caption }),
      el('thead', {}, head),
      el('tbody', {}, body.length ? body : el('tr', {}, el('td', { colspan: columns.length, text: empty ?? t('table.empty') }))));
    holder.replaceChildren(exportBar(options, columns, ordered), el('div', { class: 'table-wrap' }, table));
    // Re-drawing replaces the header buttons: keep the keyboard where the user was.
    if (focusColumn) holder.querySelector(`button.sort[data-column="${focusColumn}"]`)?.focus();
  };
  draw(null);
  return holder;
}

// The date range every report page shares: presets ending on the last day with data, or a custom from/to. One state for the
// whole console, so moving from the overview to Channels or Funnel keeps the range the user picked.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';

export const PRESETS = ['7', '30', '90', 'quarter', 'custom'];

/** The range in use: preset, from, to (yyyy-MM-dd, inclusive) and the last day with data the presets end on. */
export const range = { preset: '30', from: null, to: null, dataEnd: null };

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

/** Learns the last day with data once (the API's default range ends there) and sets the range from the preset. */
export async function ensureRange() {
  if (range.dataEnd) return;
  const probe = await api.get('/v1/metrics');
  range.dataEnd = probe.to;
  Object.assign(range, presetRange(range.preset, range.dataEnd));
}

/** The picker: a preset select (applies at once) and from/to dates with an Apply button. onApply re-renders the page. */
export function rangeControls(onApply) {
  const select = el('select', { id: 'range-preset', name: 'preset' },
    PRESETS.map((p) => el('option', { value: p, selected: p === range.preset, text: t('range.' + p) })));
  const from = el('input', { id: 'range-from', type: 'date', value: range.from, max: range.dataEnd });
  const to = el('input', { id: 'range-to', type: 'date', value: range.to, max: range.dataEnd });
  select.addEventListener('change', () => {
    range.preset = select.value;
    if (select.value !== 'custom') {
      Object.assign(range, presetRange(select.value, range.dataEnd));
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
    range.preset = 'custom';
    range.from = from.value;
    range.to = to.value;
    onApply();
  });
  return form;
}

/** A status line while a page loads; fail() turns it into an alert with the error. */
export function loading() {
  const status = el('p', { class: 'loading', role: 'status', text: t('loading') });
  return {
    node: status,
    fail(e) {
      status.className = 'error';
      status.setAttribute('role', 'alert');
      status.textContent = t('error.load') + e.message;
    },
  };
}

// The date range every report page shares: presets ending on the last day with data, or a custom from/to. One state for the
// whole console, so moving from the overview to Channels or Funnel keeps the range the user picked.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';

export const PRESETS = ['today', '7', '30', '90', 'quarter', '618', '1111', 'custom'];

// The big shopping festivals' windows (month-day, inclusive): 618 from 1 June, 双11 from the presale on 20 October.
const FESTIVALS = { 618: ['06-01', '06-18'], 1111: ['10-20', '11-11'] };

/** The range in use: preset, from, to (yyyy-MM-dd, inclusive) and the last day with data the presets end on. */
export const range = { preset: '30', from: null, to: null, dataEnd: null };

const day = (text) => new Date(`${text}T00:00:00Z`);
const text = (date) => date.toISOString().slice(0, 10);
const addDays = (date, n) => new Date(date.getTime() + n * 86400000);

/** The range of a preset, ending on the last day with data. */
export function presetRange(preset, dataEnd) {
  const end = day(dataEnd);
  if (preset === 'today') return { from: dataEnd, to: dataEnd };
  if (preset in FESTIVALS) {
    // The latest window that has begun by the data's last day, cut at that day while it is still running.
    const [start, stop] = FESTIVALS[preset];
    let year = end.getUTCFullYear();
    if (`${year}-${start}` > dataEnd) year -= 1;
    const to = `${year}-${stop}`;
    return { from: `${year}-${start}`, to: to > dataEnd ? dataEnd : to };
  }
  if (preset === 'quarter') {
    const start = new Date(Date.UTC(end.getUTCFullYear(), Math.floor(end.getUTCMonth() / 3) * 3, 1));
    return { from: text(start), to: dataEnd };
  }
  return { from: text(addDays(end, -(Number(preset) - 1))), to: dataEnd };
}

/** Learns the last day with data once (the API's default range ends there) and sets the range from the preset. */
export async function ensureRange() {
  if (range.dataEnd) return;
  await followDataEnd();
}

/**
 * Asks again where the data ends (it moves while events arrive) and moves a preset's range with it; a custom range stays.
 * `probed`: the answer of GET /v1/metrics when the caller already asked (alongside its own reports). True when the range changed.
 */
export async function followDataEnd(probed = null) {
  const probe = probed ?? await api.get('/v1/metrics');
  if (probe.to === range.dataEnd) return false;
  range.dataEnd = probe.to;
  if (range.preset !== 'custom' || !range.from) Object.assign(range, presetRange(range.preset === 'custom' ? '30' : range.preset, range.dataEnd));
  return true;
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

// Funnel: pick event types as ordered steps (each with an optional filter such as channel = tmall), a breakdown by channel, run POST /v1/funnels for the range, see each step's count, conversion and drop-off,
// and (with marketing:write) save who dropped after a step as an audience through the same endpoint's save_audience.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { range, ensureRange, rangeControls, loading } from './range.js';
import { dataTable } from './table.js';

// The picker offers the event types the store's index holds (GET /v1/events/catalog, commonest first); before any data
// arrives it offers the ones Flywheel's own tracking and the demo store emit.
export const EVENT_TYPES = ['page_view', 'search', 'product_view', 'add_to_cart', 'begin_checkout', 'order_paid',
  'signup', 'login', 'share', 'coupon_claimed', 'review'];
const WINDOWS = ['1h', '1d', '7d', '30d'];
// The fields a step can be filtered on (FunnelQuery's FunnelField) and the breakdowns (FunnelQuestion's `by`).
const FIELDS = ['channel', 'campaign', 'category', 'source', 'medium', 'kol'];
const BREAKDOWNS = ['', 'channel', 'first_touch_channel'];

// Kept across re-renders (language, range): the steps being edited (type plus one optional field=value filter), the
// breakdown, and the last funnel built with the question it answers.
const state = {
  steps: ['page_view', 'product_view', 'add_to_cart', 'begin_checkout', 'order_paid'].map((type) => ({ type, field: '', value: '' })),
  window: '7d', by: '', question: null, result: null, saved: null, catalog: null,
};

const known = (type) => t('event.' + type) !== 'event.' + type;
const eventName = (type) => (known(type) ? `${t('event.' + type)} (${type})` : type);

/** The step as the API reads it: type, or type[field=value]. */
const stepText = (step) => (step.field && step.value.trim() ? `${step.type}[${step.field}=${step.value.trim()}]` : step.type);

/** A step of the API's answer for people: 浏览商品 (product_view) · 渠道 = tmall. */
function stepLabel(text) {
  const match = /^([^[]+)\[(\w+)=(.*)\]$/.exec(text);
  if (!match) return eventName(text);
  return `${eventName(match[1])} · ${t('funnel.field.' + match[2])} = ${match[3]}`;
}

function typeChoices(current) {
  const types = state.catalog?.types?.length ? state.catalog.types.map((x) => x.type) : EVENT_TYPES;
  return types.includes(current) ? types : [current, ...types];
}

function stepEditor(rerender) {
  const items = state.steps.map((step, i) => {
    const n = i + 1;
    const id = `funnel-step-${n}`;
    const select = el('select', { id, name: 'step', 'data-step': n },
      typeChoices(step.type).map((e) => el('option', { value: e, selected: e === step.type, text: eventName(e) })));
    select.addEventListener('change', () => { step.type = select.value; });
    const field = el('select', { id: `${id}-field`, name: 'field', 'aria-label': t('funnel.filter.field', { n }) },
      el('option', { value: '', selected: !step.field, text: t('funnel.filter.none') }),
      FIELDS.map((f) => el('option', { value: f, selected: f === step.field, text: t('funnel.field.' + f) })));
    const listId = `${id}-values`;
    const value = el('input', { id: `${id}-value`, name: 'value', list: listId, value: step.value, maxlength: 200,
      'aria-label': t('funnel.filter.value', { n }), disabled: !step.field, placeholder: t('funnel.filter.placeholder') });
    const values = el('datalist', { id: listId },
      (state.catalog?.fields?.[step.field]?.values ?? []).map((v) => el('option', { value: v })));
    field.addEventListener('change', () => {
      step.field = field.value;
      value.disabled = !step.field;
      values.replaceChildren(...(state.catalog?.fields?.[step.field]?.values ?? []).map((v) => el('option', { value: v })));
    });
    value.addEventListener('input', () => { step.value = value.value; });
    const remove = el('button', { type: 'button', class: 'remove', 'aria-label': t('funnel.remove', { n }), text: '×', disabled: state.steps.length <= 2 });
    remove.addEventListener('click', () => {
      state.steps.splice(i, 1);
      rerender();
    });
    return el('li', {}, el('label', { for: id, text: t('funnel.step', { n }) }), select, field, value, values, remove);
  });
  const add = el('button', { type: 'button', id: 'funnel-add', text: t('funnel.add') });
  add.addEventListener('click', () => {
    const types = typeChoices('page_view');
    state.steps.push({ type: types.find((e) => !state.steps.some((s) => s.type === e)) ?? types[0], field: '', value: '' });
    rerender();
    document.getElementById(`funnel-step-${state.steps.length}`)?.focus();
  });
  const windowSelect = el('select', { id: 'funnel-window', name: 'window' },
    WINDOWS.map((w) => el('option', { value: w, selected: w === state.window, text: t('funnel.window.' + w) })));
  windowSelect.addEventListener('change', () => { state.window = windowSelect.value; });
  const by = el('select', { id: 'funnel-by', name: 'by' },
    BREAKDOWNS.map((b) => el('option', { value: b, selected: b === state.by, text: t('funnel.by.' + (b || 'none')) })));
  by.addEventListener('change', () => { state.by = by.value; });
  return el('form', { id: 'funnel-builder', class: 'builder', 'aria-label': t('funnel.builder') },
    el('ol', { class: 'steps' }, items),
    el('div', { class: 'builder-row' }, add,
      el('label', { for: 'funnel-window', text: t('funnel.window') }), windowSelect,
      el('label', { for: 'funnel-by', text: t('funnel.by') }), by,
      el('button', { type: 'submit', id: 'funnel-run', text: t('funnel.run') })));
}

function resultTable(result) {
  const rows = result.steps.map((s, i) => ({ ...s, n: i + 1, label: `${i + 1}. ${stepLabel(s.step)}`, conversion_from_previous: i === 0 ? null : s.conversion_from_previous }));
  const column = (key, kind) => ({ key, kind, label: t('funnel.col.' + key) });
  return dataTable({
    id: 'funnel-table',
    caption: t('funnel.caption', { from: state.question.from, to: state.question.to, window: t('funnel.window.' + state.question.window) }),
    exportName: `funnel-${state.question.from}-${state.question.to}`,
    rowKey: (row) => row.n,
    columns: [
      { ...column('label', 'text'), label: t('funnel.col.step'), header: true },
      column('customers', 'count'), column('conversion_from_previous', 'percent'), column('conversion_from_first', 'percent'),
      column('drop_off', 'count'), column('median_seconds', 'duration'), column('p90_seconds', 'duration'),
    ],
    rows,
  });
}

/** The breakdown: one row per channel with the visitors it brought to each step and its conversion from the first to the last. */
function breakdownTable(result) {
  const groups = result.steps[0].breakdown ?? [];
  const last = result.steps.length - 1;
  const rows = groups.map((group, g) => {
    const row = { value: group.value || t('funnel.by.unknown') };
    result.steps.forEach((step, k) => { row[`step${k + 1}`] = step.breakdown[g].customers; });
    row.conversion = row.step1 > 0 ? row[`step${last + 1}`] / row.step1 : null;
    return row;
  });
  return dataTable({
    id: 'funnel-breakdown',
    caption: t('funnel.breakdown.caption', { by: t('funnel.by.' + state.question.by) }),
    exportName: `funnel-by-${state.question.by}-${state.question.from}-${state.question.to}`,
    columns: [
      { key: 'value', kind: 'text', label: t('funnel.by.' + state.question.by), header: true },
      ...result.steps.map((step, k) => ({ key: `step${k + 1}`, kind: 'count', label: `${k + 1}. ${stepLabel(step.step)}` })),
      { key: 'conversion', kind: 'percent', label: t('funnel.col.conversion_from_first') },
    ],
    rows,
    sort: { column: 'step1', direction: 'descending' },
  });
}

// "Save the drop-off": who reached step k but not step k+1 becomes the audience `name` (POST /v1/funnels with save_audience,
// which needs marketing:write; the form is not offered to other roles).
function saveForm(result) {
  const q = state.question;
  const last = result.steps.length - 1;
  const choices = result.steps.slice(0, last).map((s, i) => el('option', { value: i + 1, selected: i + 1 === last,
    text: t('funnel.save.choice', { n: i + 1, step: stepLabel(s.step), next: stepLabel(result.steps[i + 1].step), count: format.count(s.drop_off) }) }));
  const after = el('select', { id: 'save-after', name: 'dropped_after' }, choices);
  const suggested = () => `dropped-${result.steps[Number(after.value) - 1].step.split('[')[0]}-${q.from}-${q.to}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 64);
  const name = el('input', { id: 'save-name', name: 'name', required: true, pattern: '[a-z0-9_\\-]{1,64}', maxlength: 64, value: suggested(), 'aria-describedby': 'save-name-hint' });
  after.addEventListener('change', () => { name.value = suggested(); });
  const title = el('input', { id: 'save-title', name: 'title', maxlength: 200 });
  const message = el('p', { id: 'save-status', role: 'status' });
  if (state.saved) message.textContent = t('funnel.save.done', { name: state.saved.name, members: format.count(state.saved.members), anonymous: format.count(state.saved.anonymous_dropped) });
  const form = el('form', { id: 'funnel-save', class: 'save', 'aria-label': t('funnel.save.title') },
    el('h2', { text: t('funnel.save.title') }),
    el('label', { for: 'save-after', text: t('funnel.save.after') }), after,
    el('label', { for: 'save-name', text: t('funnel.save.name') }), name,
    el('p', { id: 'save-name-hint', class: 'hint', text: t('funnel.save.hint') }),
    el('label', { for: 'save-title', text: t('funnel.save.label') }), title,
    el('button', { type: 'submit', id: 'save-run', text: t('funnel.save.submit') }),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.checkValidity()) {
      message.className = 'error';
      message.textContent = t('funnel.save.badname');
      name.focus();
      return;
    }
    message.className = '';
    message.textContent = t('loading');
    try {
      const answer = await api.post('/v1/funnels', {
        steps: q.steps, window: q.window, from: q.from, to: q.to,
        save_audience: { name: name.value, dropped_after: Number(after.value), title: title.value.trim() || null },
      });
      state.saved = answer.audience;
      message.textContent = t('funnel.save.done', { name: answer.audience.name, members: format.count(answer.audience.members), anonymous: format.count(answer.audience.anonymous_dropped) });
    } catch (e) {
      message.className = 'error';
      message.textContent = t('funnel.save.failed') + e.message;
    }
  });
  return form;
}

async function build() {
  const question = { steps: state.steps.map(stepText), editing: state.steps.map((step) => ({ ...step })), window: state.window, by: state.by, from: range.from, to: range.to };
  state.result = await api.post('/v1/funnels', { steps: question.steps, window: question.window, from: question.from, to: question.to, by: question.by || null });
  state.question = question;
  state.saved = null;
}

/** session: the signed-in session; its permissions decide whether the drop-off can be saved. */
export async function render(main, session) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('funnel.title') }), status.node);
  const rerender = () => render(main, session);
  try {
    await ensureRange();
    state.catalog ??= await api.get('/v1/events/catalog');
    // A funnel built for another range is built again for this one, with the same steps.
    if (state.question && (state.question.from !== range.from || state.question.to !== range.to)) {
      state.steps = state.question.editing.map((step) => ({ ...step }));
      state.window = state.question.window;
      state.by = state.question.by;
      await build();
    }
    const builder = stepEditor(rerender);
    builder.addEventListener('submit', async (event) => {
      event.preventDefault();
      const run = document.getElementById('funnel-run');
      run.disabled = true;
      try {
        await build();
        await rerender();
        document.getElementById('funnel-run')?.focus();
      } catch (e) {
        run.disabled = false;
        const error = document.getElementById('funnel-error');
        error.textContent = t('error.load') + e.message;
      }
    });
    const canSave = session?.permissions?.includes('marketing:write') ?? false;
    main.replaceChildren(
      el('h1', { text: t('funnel.title') }),
      rangeControls(rerender),
      el('p', { id: 'range-note', class: 'note', 'data-from': range.from, 'data-to': range.to, text: t('funnel.note', { from: range.from, to: range.to, end: range.dataEnd }) }),
      builder,
      el('p', { id: 'funnel-error', class: 'error', role: 'alert' }),
      state.result ? resultTable(state.result) : el('p', { class: 'note', text: t('funnel.empty') }),
      state.result && state.question.by ? breakdownTable(state.result) : null,
      state.result && canSave && state.result.steps.length > 1 ? saveForm(state.result) : null);
  } catch (e) {
    status.fail(e);
  }
}

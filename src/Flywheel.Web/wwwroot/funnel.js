// Funnel: pick event types as ordered steps, run POST /v1/funnels for the range, see each step's count, conversion and drop-off,
// and (with marketing:write) save who dropped after a step as an audience through the same endpoint's save_audience.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { range, ensureRange, rangeControls, loading } from './range.js';

// The API has no endpoint that lists the event types a store holds, so the picker offers the ones Flywheel's own tracking
// and the demo store emit (DemoBuilder); a store with other types can still ask for them through the API or the CLI.
export const EVENT_TYPES = ['page_view', 'search', 'product_view', 'add_to_cart', 'begin_checkout', 'order_paid',
  'signup', 'login', 'share', 'coupon_claimed', 'review'];
const WINDOWS = ['1h', '1d', '7d', '30d'];

// Kept across re-renders (language, range): the steps being edited and the last funnel built with the question it answers.
const state = { steps: ['page_view', 'product_view', 'add_to_cart', 'begin_checkout', 'order_paid'], window: '7d', question: null, result: null, saved: null };

const eventName = (type) => `${t('event.' + type)} (${type})`;

function stepEditor(rerender) {
  const items = state.steps.map((type, i) => {
    const id = `funnel-step-${i + 1}`;
    const select = el('select', { id, name: 'step', 'data-step': i + 1 },
      EVENT_TYPES.map((e) => el('option', { value: e, selected: e === type, text: eventName(e) })));
    select.addEventListener('change', () => { state.steps[i] = select.value; });
    const remove = el('button', { type: 'button', class: 'remove', 'aria-label': t('funnel.remove', { n: i + 1 }), text: '×', disabled: state.steps.length <= 2 });
    remove.addEventListener('click', () => {
      state.steps.splice(i, 1);
      rerender();
    });
    return el('li', {}, el('label', { for: id, text: t('funnel.step', { n: i + 1 }) }), select, remove);
  });
  const add = el('button', { type: 'button', id: 'funnel-add', text: t('funnel.add') });
  add.addEventListener('click', () => {
    state.steps.push(EVENT_TYPES.find((e) => !state.steps.includes(e)) ?? 'page_view');
    rerender();
    document.getElementById(`funnel-step-${state.steps.length}`)?.focus();
  });
  const windowSelect = el('select', { id: 'funnel-window', name: 'window' },
    WINDOWS.map((w) => el('option', { value: w, selected: w === state.window, text: t('funnel.window.' + w) })));
  windowSelect.addEventListener('change', () => { state.window = windowSelect.value; });
  return el('form', { id: 'funnel-builder', class: 'builder', 'aria-label': t('funnel.builder') },
    el('ol', { class: 'steps' }, items),
    el('div', { class: 'builder-row' }, add,
      el('label', { for: 'funnel-window', text: t('funnel.window') }), windowSelect,
      el('button', { type: 'submit', id: 'funnel-run', text: t('funnel.run') })));
}

function resultTable(result) {
  const rows = result.steps.map((s, i) => el('tr', { 'data-step': i + 1 },
    el('th', { scope: 'row', text: `${i + 1}. ${eventName(s.step)}` }),
    el('td', { class: 'num', 'data-column': 'customers', text: format.count(s.customers) }),
    el('td', { class: 'num', 'data-column': 'conversion_from_previous', text: i === 0 ? format.EMPTY : format.percent(s.conversion_from_previous) }),
    el('td', { class: 'num', 'data-column': 'conversion_from_first', text: format.percent(s.conversion_from_first) }),
    el('td', { class: 'num', 'data-column': 'drop_off', text: format.count(s.drop_off) }),
    el('td', { class: 'num', 'data-column': 'median_seconds', text: format.duration(s.median_seconds) })));
  return el('table', { id: 'funnel-table', class: 'grid' },
    el('caption', { text: t('funnel.caption', { from: state.question.from, to: state.question.to, window: t('funnel.window.' + state.question.window) }) }),
    el('thead', {}, el('tr', {}, ['step', 'customers', 'conversion_from_previous', 'conversion_from_first', 'drop_off', 'median_seconds']
      .map((c) => el('th', { scope: 'col', class: c === 'step' ? '' : 'num', text: t('funnel.col.' + c) })))),
    el('tbody', {}, rows));
}

// "Save the drop-off": who reached step k but not step k+1 becomes the audience `name` (POST /v1/funnels with save_audience,
// which needs marketing:write; the form is not offered to other roles).
function saveForm(result) {
  const q = state.question;
  const last = result.steps.length - 1;
  const choices = result.steps.slice(0, last).map((s, i) => el('option', { value: i + 1, selected: i + 1 === last,
    text: t('funnel.save.choice', { n: i + 1, step: eventName(s.step), next: eventName(result.steps[i + 1].step), count: format.count(s.drop_off) }) }));
  const after = el('select', { id: 'save-after', name: 'dropped_after' }, choices);
  const suggested = () => `dropped-${result.steps[Number(after.value) - 1].step}-${q.from}-${q.to}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 64);
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
  const question = { steps: [...state.steps], window: state.window, from: range.from, to: range.to };
  state.result = await api.post('/v1/funnels', { steps: question.steps, window: question.window, from: question.from, to: question.to });
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
    // A funnel built for another range is built again for this one, with the same steps.
    if (state.question && (state.question.from !== range.from || state.question.to !== range.to)) {
      state.steps = [...state.question.steps];
      state.window = state.question.window;
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
      state.result && canSave && state.result.steps.length > 1 ? saveForm(state.result) : null);
  } catch (e) {
    status.fail(e);
  }
}

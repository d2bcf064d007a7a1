// Promotions: the active promotions (GET /v1/promotions?status=active) and the stacking order (GET /v1/promotions/pipeline);
// a cart simulator (POST /v1/carts/price, needs 'checkout') that shows every line's discounts, the totals and why each active
// promotion applied or not; and the pre-publish simulation of a draft set (POST /v1/promotions/validate and
// POST /v1/promotions/simulate, need 'marketing:write'). The Promotions API speaks fen (integer cents): shown here as yuan.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { range, ensureRange, loading } from './range.js';

const yuan = (fen) => (fen === null || fen === undefined ? null : fen / 100);
const money = (fen) => format.money(yuan(fen));
const MECHANICS = ['threshold', 'repeating_threshold', 'tiered', 'threshold_percent', 'quantity_percent', 'buy_x_get_y', 'gift', 'direct',
  'flash_price', 'member_price', 'member_day', 'free_shipping', 'presale'];

// A cart a shopper of the demo store could hold: two flagship lines (beauty, apparel) and two packs from the baby store.
const EXAMPLE_LINES = [
  { sku: 'BEAUTY-0001', store: 'flagship', category: '美妆>面部精华', quantity: 1, price: 329 },
  { sku: 'APPAREL-0002', store: 'flagship', category: '服饰>卫衣', quantity: 1, price: 199 },
  { sku: 'MOTHER_BABY-0003', store: 'baby_store', category: '母婴>纸尿裤', quantity: 2, price: 129 },
];

// A draft the marketer might check before 双11: a platform-funded 跨店每满300减50 and a flagship 满199打9折.
export const EXAMPLE_DRAFT = JSON.stringify([
  { id: 'd11-cross', name: '双11 跨店每满300减50', stage: 'platform', mechanic: { type: 'repeating_threshold', step: 30000, amount_off: 5000 },
    funding: { platform_percent: 60 } },
  { id: 'flagship-199-90', name: '旗舰店 满199打9折', stage: 'store', scope: { stores: ['flagship'] },
    mechanic: { type: 'threshold_percent', threshold: 19900, percent_off: 10 }, exclusivity_group: 'flagship-store' },
], null, 2);

// Kept across re-renders (language): the cart being edited, its priced answer, the draft and its simulation.
const state = {
  lines: EXAMPLE_LINES.map((l) => ({ ...l })), tier: '', customer: '', coupon: { code: '', kind: 'platform', amount: '', threshold: '' },
  request: null, priced: null, cartError: null,
  draft: EXAMPLE_DRAFT, from: null, to: null, validation: null, simulation: null, draftError: null,
};
const sort = { column: 'name', direction: 'ascending' };

/** When a promotion runs: from–to in the store's days, open ends said so. */
function windowText(p) {
  const day = (iso) => (iso ? iso.slice(0, 10) : null);
  if (!p.valid_from && !p.valid_to) return t('promotions.window.always');
  return `${day(p.valid_from) ?? t('promotions.window.open')} – ${day(p.valid_to) ?? t('promotions.window.open')}`;
}

/** How a promotion stacks: its stage, and exclusive / group / stackable_with when set. */
function stackingText(p) {
  const parts = [t('promotions.stage.' + p.stage)];
  if (p.exclusive) parts.push(t('promotions.stacking.exclusive'));
  if (p.exclusivity_group) parts.push(t('promotions.stacking.group', { group: p.exclusivity_group }));
  if (p.stackable_with?.length) parts.push(t('promotions.stacking.with', { ids: p.stackable_with.join(', ') }));
  if (p.priority) parts.push(t('promotions.stacking.priority', { n: p.priority }));
  return parts.join(' · ');
}

const kindText = (type) => (MECHANICS.includes(type) ? `${t('promotions.kind.' + type)} (${type})` : type);

export function promotionRows(list) {
  return list.map((p) => ({
    id: p.id, name: p.name, kind: kindText(p.mechanic?.type), status: t('promotions.status.' + p.status),
    window: windowText(p), stacking: stackingText(p),
  }));
}

function promotionsTable(list) {
  const columns = ['name', 'id', 'kind', 'status', 'window', 'stacking'].map((key) => ({ key, kind: 'text', label: t('promotions.col.' + key), header: key === 'name' }));
  return dataTable({ id: 'promotions-table', caption: t('promotions.caption'), exportName: 'promotions-active', columns, rows: promotionRows(list),
    sort, rowKey: (row) => row.id, empty: t('promotions.empty') });
}

// ---------------------------------------------------------------- the cart simulator

/** The cart the form describes, as POST /v1/carts/price takes it (fen, lines numbered from 1). */
export function cartRequest() {
  const cart = {
    lines: state.lines.filter((l) => l.sku.trim()).map((l, i) => ({
      line_id: String(i + 1), sku: l.sku.trim(), store: l.store.trim() || 'default', category: l.category.trim() || 'other',
      quantity: Number(l.quantity), unit_list_price: Math.round(Number(l.price) * 100),
    })),
  };
  if (state.tier) cart.customer_tier = state.tier;
  if (state.customer.trim()) cart.customer_id = state.customer.trim();
  const c = state.coupon;
  if (c.code.trim() && Number(c.amount) > 0) {
    // A coupon the shopper holds, valid for a day around now: the engine decides whether it is used.
    const now = Date.now();
    cart.held_coupons = [{ code: c.code.trim(), batch_id: 'console', spec: { kind: c.kind, amount_off: Math.round(Number(c.amount) * 100),
      threshold: Math.round(Number(c.threshold || 0) * 100), funding: c.kind === 'platform' ? 'platform' : 'merchant',
      store: c.kind === 'store' ? (state.lines[0]?.store || null) : null },
      valid_from: new Date(now - 86400000).toISOString(), valid_to: new Date(now + 86400000).toISOString() }];
  }
  return cart;
}

function field(id, label, input) {
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), input);
}

function cartForm(rerender) {
  const rows = state.lines.map((line, i) => {
    const input = (key, attrs) => {
      const node = el('input', { id: `cart-${key}-${i + 1}`, name: key, value: line[key], ...attrs });
      node.addEventListener('input', () => { line[key] = node.value; });
      return node;
    };
    const remove = el('button', { type: 'button', class: 'remove', 'aria-label': t('promotions.cart.remove', { n: i + 1 }), text: '×', disabled: state.lines.length <= 1 });
    remove.addEventListener('click', () => { state.lines.splice(i, 1); rerender(); });
    return el('tr', { 'data-line': i + 1 },
      el('th', { scope: 'row', text: String(i + 1) }),
      el('td', {}, input('sku', { 'aria-label': t('promotions.cart.sku.n', { n: i + 1 }), required: true, size: 16 })),
      el('td', {}, input('store', { 'aria-label': t('promotions.cart.store.n', { n: i + 1 }), size: 11 })),
      el('td', {}, input('category', { 'aria-label': t('promotions.cart.category.n', { n: i + 1 }), size: 12 })),
      el('td', {}, input('quantity', { type: 'number', min: 1, max: 999, step: 1, 'aria-label': t('promotions.cart.quantity.n', { n: i + 1 }), class: 'short' })),
      el('td', {}, input('price', { type: 'number', min: 0, step: '0.01', 'aria-label': t('promotions.cart.price.n', { n: i + 1 }), class: 'short' })),
      el('td', {}, remove));
  });
  const lines = el('table', { class: 'grid cart-lines', id: 'cart-lines' },
    el('caption', { text: t('promotions.cart.lines') }),
    el('thead', {}, el('tr', {}, ['#', 'sku', 'store', 'category', 'quantity', 'price', 'remove'].map((c) =>
      el('th', { scope: 'col', text: c === '#' ? '#' : t('promotions.cart.' + c) })))),
    el('tbody', {}, rows));
  const add = el('button', { type: 'button', id: 'cart-add', text: t('promotions.cart.add') });
  add.addEventListener('click', () => {
    state.lines.push({ sku: '', store: 'flagship', category: '', quantity: 1, price: 99 });
    rerender();
    document.getElementById(`cart-sku-${state.lines.length}`)?.focus();
  });
  const tier = el('select', { id: 'cart-tier', name: 'customer_tier' },
    ['', 'silver', 'gold', 'platinum'].map((v) => el('option', { value: v, selected: v === state.tier, text: t('promotions.tier.' + (v || 'none')) })));
  tier.addEventListener('change', () => { state.tier = tier.value; });
  const customer = el('input', { id: 'cart-customer', name: 'customer_id', value: state.customer, maxlength: 100 });
  customer.addEventListener('input', () => { state.customer = customer.value; });
  const coupon = (key, attrs) => {
    const node = el('input', { id: `cart-coupon-${key}`, name: `coupon_${key}`, value: state.coupon[key], ...attrs });
    node.addEventListener('input', () => { state.coupon[key] = node.value; });
    return node;
  };
  const kind = el('select', { id: 'cart-coupon-kind', name: 'coupon_kind' },
    ['platform', 'store', 'no_threshold'].map((v) => el('option', { value: v, selected: v === state.coupon.kind, text: t('promotions.coupon.kind.' + v) })));
  kind.addEventListener('change', () => { state.coupon.kind = kind.value; });
  const form = el('form', { id: 'cart-form', class: 'panel', 'aria-label': t('promotions.cart.title') },
    el('div', { class: 'table-wrap' }, lines),
    el('div', { class: 'builder-row' }, add),
    el('div', { class: 'fields' },
      field('cart-tier', t('promotions.cart.tier'), tier),
      field('cart-customer', t('promotions.cart.customer'), customer),
      field('cart-coupon-code', t('promotions.coupon.code'), coupon('code', { maxlength: 64 })),
      field('cart-coupon-kind', t('promotions.coupon.kind'), kind),
      field('cart-coupon-amount', t('promotions.coupon.amount'), coupon('amount', { type: 'number', min: 0, step: '0.01', class: 'short' })),
      field('cart-coupon-threshold', t('promotions.coupon.threshold'), coupon('threshold', { type: 'number', min: 0, step: '0.01', class: 'short' }))),
    el('p', { class: 'hint', text: t('promotions.cart.hint') }),
    el('button', { type: 'submit', id: 'cart-run', text: t('promotions.cart.run') }),
    el('p', { id: 'cart-error', class: 'error', role: 'alert', text: state.cartError ?? '' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const run = document.getElementById('cart-run');
    run.disabled = true;
    state.cartError = null;
    try {
      const request = cartRequest();
      state.priced = await api.post('/v1/carts/price', request);
      state.request = request;
    } catch (e) {
      state.priced = null;
      state.cartError = t('promotions.cart.failed') + problemText(e);
    }
    await rerender();
    document.getElementById('cart-run')?.focus();
  });
  return form;
}

/** A problem's message with each error's JSON path ("$.lines[0].quantity: ..."). */
function problemText(e) {
  const errors = e?.problem?.errors;
  if (Array.isArray(errors) && errors.length) return errors.map((x) => `${x.path}: ${x.message}`).join('; ');
  return e.message;
}

/** Why each active promotion applied to this cart, or what it still needs, or that its scope or window did not match. */
export function explain(priced, active) {
  const applied = new Map();
  for (const line of priced.lines) for (const s of line.steps) {
    const entry = applied.get(s.id) ?? { id: s.id, name: s.name, stage: s.stage, source: s.source, amount: 0, lines: [] };
    entry.amount += s.amount;
    entry.lines.push(line.line_id);
    applied.set(s.id, entry);
  }
  const items = [];
  for (const a of applied.values()) {
    items.push({ id: a.id, applied: true, text: t(a.source === 'coupon' ? 'promotions.why.coupon' : 'promotions.why.applied',
      { name: a.name, id: a.id, stage: t('promotions.stage.' + a.stage), amount: money(a.amount), lines: a.lines.join(', ') }) });
  }
  if (priced.shipping_discount > 0) {
    for (const p of active.filter((x) => x.mechanic?.type === 'free_shipping' && !applied.has(x.id))) {
      items.push({ id: p.id, applied: true, text: t('promotions.why.shipping', { name: p.name, id: p.id, amount: money(priced.shipping_discount) }) });
      applied.set(p.id, true);
    }
  }
  for (const p of active.filter((x) => !applied.has(x.id))) {
    const next = priced.next_thresholds.filter((n) => n.promotion_id === p.id);
    const gift = priced.gifts.find((g) => g.promotion_id === p.id);
    const text = gift ? t('promotions.why.gift', { name: p.name, id: p.id, sku: gift.sku, quantity: gift.quantity })
      : p.mechanic?.type === 'free_shipping' && priced.shipping_fee === 0 ? t('promotions.why.noshipping', { name: p.name, id: p.id })
      : next.length ? t('promotions.why.next', { name: p.name, id: p.id, message: next.map((n) => (t('promotions.lang') === 'en' ? n.message_en : n.message_zh)).join('; ') })
        : t('promotions.why.notmatched', { name: p.name, id: p.id });
    items.push({ id: p.id, applied: Boolean(gift), text });
  }
  for (const u of priced.unused_coupons) items.push({ id: u.code, applied: false, text: t('promotions.why.unused', { code: u.code, reason: u.reason, message: u.message }) });
  return items;
}

function pricedView(priced, active) {
  const lineRows = priced.lines.map((l) => ({
    line_id: l.line_id, sku: l.sku, store: l.store, quantity: l.quantity, unit: yuan(l.unit_list_price), list: yuan(l.list_amount),
    discount: yuan(l.discount), paid: yuan(l.paid),
  }));
  const lines = dataTable({ id: 'cart-priced-lines', caption: t('promotions.priced.lines'), exportName: 'priced-cart-lines', rowKey: (r) => r.line_id,
    columns: [['line_id', 'text'], ['sku', 'text'], ['store', 'text'], ['quantity', 'count'], ['unit', 'money'], ['list', 'money'], ['discount', 'money'], ['paid', 'money']]
      .map(([key, kind]) => ({ key, kind, label: t('promotions.priced.col.' + key), header: key === 'line_id' })),
    rows: lineRows });
  const stepRows = priced.lines.flatMap((l) => l.steps.map((s, i) => ({
    key: `${l.line_id}-${i + 1}`, line_id: l.line_id, stage: t('promotions.stage.' + s.stage), name: `${s.name} (${s.id})`,
    amount: yuan(s.amount), platform: yuan(s.platform_funded), merchant: yuan(s.merchant_funded),
  })));
  const steps = dataTable({ id: 'cart-priced-steps', caption: t('promotions.priced.steps'), exportName: 'priced-cart-discounts', rowKey: (r) => r.key,
    columns: [['line_id', 'text'], ['stage', 'text'], ['name', 'text'], ['amount', 'money'], ['platform', 'money'], ['merchant', 'money']]
      .map(([key, kind]) => ({ key, kind, label: t('promotions.priced.col.' + key), header: key === 'line_id' })),
    rows: stepRows, empty: t('promotions.priced.nosteps') });
  const total = (key, value, id) => el('div', { class: 'total' }, el('dt', { text: t('promotions.priced.' + key) }),
    el('dd', { id, 'data-fen': value, text: money(value) }));
  const totals = el('dl', { class: 'totals', id: 'cart-totals' },
    total('goods', priced.list_amount, 'cart-total-goods'),
    total('discount', priced.discount, 'cart-total-discount'),
    total('shipping', priced.shipping_paid, 'cart-total-shipping'),
    total('total', priced.total, 'cart-total'),
    total('platform', priced.platform_funded, 'cart-total-platform'),
    total('merchant', priced.merchant_funded, 'cart-total-merchant'));
  const why = el('ul', { id: 'cart-why', class: 'why' }, explain(priced, active).map((item) =>
    el('li', { class: item.applied ? 'applied' : 'not-applied', 'data-id': item.id },
      el('span', { class: 'mark', text: item.applied ? t('promotions.why.yes') : t('promotions.why.no') }), ' ', item.text)));
  return el('section', { id: 'cart-result', 'aria-label': t('promotions.priced.title') },
    el('h3', { text: t('promotions.priced.title') }), totals, lines, steps,
    el('h3', { text: t('promotions.why.title') }), why,
    el('details', { class: 'request' }, el('summary', { text: t('promotions.priced.request') }),
      el('pre', { id: 'cart-request', text: JSON.stringify(state.request, null, 2) })));
}

// ---------------------------------------------------------------- the draft simulation

function draftForm(rerender) {
  const text = el('textarea', { id: 'draft-json', name: 'draft', rows: 14, cols: 80, spellcheck: 'false', 'aria-describedby': 'draft-hint' });
  text.value = state.draft;
  text.addEventListener('input', () => { state.draft = text.value; });
  const from = el('input', { id: 'draft-from', type: 'date', value: state.from, max: range.dataEnd, required: true });
  const to = el('input', { id: 'draft-to', type: 'date', value: state.to, max: range.dataEnd, required: true });
  from.addEventListener('change', () => { state.from = from.value; });
  to.addEventListener('change', () => { state.to = to.value; });
  const example = el('button', { type: 'button', id: 'draft-example', text: t('promotions.draft.example') });
  example.addEventListener('click', () => { state.draft = EXAMPLE_DRAFT; text.value = EXAMPLE_DRAFT; text.focus(); });
  const form = el('form', { id: 'draft-form', class: 'panel', 'aria-label': t('promotions.draft.title') },
    el('label', { for: 'draft-json', text: t('promotions.draft.label') }), text,
    el('p', { id: 'draft-hint', class: 'hint', text: t('promotions.draft.hint') }),
    el('div', { class: 'builder-row' }, example,
      el('label', { for: 'draft-from', text: t('promotions.draft.from') }), from,
      el('label', { for: 'draft-to', text: t('promotions.draft.to') }), to,
      el('button', { type: 'submit', id: 'draft-run', text: t('promotions.draft.run') })),
    el('p', { id: 'draft-error', class: 'error', role: 'alert', text: state.draftError ?? '' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    document.getElementById('draft-run').disabled = true;
    state.draftError = null;
    state.validation = null;
    state.simulation = null;
    let draft;
    try {
      draft = JSON.parse(state.draft);
    } catch (e) {
      state.draftError = t('promotions.draft.badjson') + e.message;
    }
    if (draft !== undefined) {
      const list = Array.isArray(draft) ? draft : [draft];
      try {
        state.validation = await api.post('/v1/promotions/validate', list);
        const query = new URLSearchParams({ from: state.from, to: state.to });
        state.simulation = await api.post(`/v1/promotions/simulate?${query}`, list);
      } catch (e) {
        state.draftError = t('promotions.draft.failed') + problemText(e);
      }
    }
    await rerender();
    document.getElementById('draft-run')?.focus();
  });
  return form;
}

function simulationView(validation, simulation) {
  const parts = [];
  if (validation) {
    parts.push(validation.valid
      ? el('p', { id: 'draft-valid', class: 'ok', text: t('promotions.draft.valid') })
      : el('div', { id: 'draft-invalid' }, el('p', { class: 'error', text: t('promotions.draft.invalid', { n: validation.errors.length }) }),
        el('ul', { class: 'errors' }, validation.errors.map((e) => el('li', { 'data-path': e.path }, el('code', { text: e.path }), ' ', e.message)))));
  }
  if (simulation) {
    const s = simulation;
    const figure = (key, value, id) => el('div', { class: 'total' }, el('dt', { text: t('promotions.sim.' + key) }), el('dd', { id, text: value }));
    parts.push(el('dl', { class: 'totals', id: 'draft-summary', 'data-from': s.from, 'data-to': s.to },
      figure('orders', format.count(s.orders), 'sim-orders'),
      figure('list', money(s.list_amount), 'sim-list'),
      figure('cost', money(s.discount + s.shipping_waived), 'sim-cost'),
      figure('platform', money(s.platform_funded), 'sim-platform'),
      figure('merchant', money(s.merchant_funded), 'sim-merchant'),
      figure('rate', format.percent(s.discount_rate_basis_points / 10000), 'sim-rate'),
      figure('crossing', format.count(s.orders_crossing_thresholds), 'sim-crossing'),
      figure('near', format.count(s.orders_near_thresholds), 'sim-near')));
    parts.push(dataTable({ id: 'draft-outcomes', caption: t('promotions.sim.caption', { from: s.from, to: s.to }), exportName: `draft-simulation-${s.from}-${s.to}`,
      rowKey: (r) => r.id,
      columns: [['name', 'text'], ['id', 'text'], ['orders', 'count'], ['discount', 'money'], ['platform', 'money'], ['merchant', 'money'], ['near', 'count']]
        .map(([key, kind]) => ({ key, kind, label: t('promotions.sim.col.' + key), header: key === 'name' })),
      rows: s.promotions.map((p) => ({ id: p.id, name: p.name, orders: p.orders, discount: yuan(p.discount), platform: yuan(p.platform_funded),
        merchant: yuan(p.merchant_funded), near: p.near_misses })) }));
    parts.push(s.conflicts.length
      ? el('div', { id: 'draft-conflicts' }, el('h3', { text: t('promotions.sim.conflicts') }),
        el('ul', { class: 'errors' }, s.conflicts.map((c) => el('li', { 'data-path': c.path }, el('code', { text: c.path }), ' ', c.message))))
      : el('p', { id: 'draft-conflicts', class: 'note', text: t('promotions.sim.noconflicts') }));
  }
  return el('section', { id: 'draft-result', 'aria-live': 'polite' }, parts);
}

// ---------------------------------------------------------------- the page

export async function render(main, session) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('promotions.title') }), status.node);
  const rerender = () => render(main, session);
  try {
    await ensureRange();
    if (!state.from) {
      // The draft is replayed on the last 30 days with data unless the marketer picks other days.
      state.to = range.dataEnd;
      state.from = new Date(Date.parse(`${range.dataEnd}T00:00:00Z`) - 29 * 86400000).toISOString().slice(0, 10);
    }
    const [active, pipeline] = await Promise.all([api.get('/v1/promotions?status=active'), api.get('/v1/promotions/pipeline')]);
    const may = (p) => session?.permissions?.includes(p) ?? false;
    const cart = may('checkout')
      ? [cartForm(rerender), state.priced ? pricedView(state.priced, active) : null]
      : [el('p', { id: 'cart-denied', class: 'note', text: t('promotions.cart.denied') })];
    const draft = may('marketing:write')
      ? [draftForm(rerender), simulationView(state.validation, state.simulation)]
      : [el('p', { id: 'draft-denied', class: 'note', text: t('promotions.draft.denied') })];
    main.replaceChildren(
      el('h1', { text: t('promotions.title') }),
      el('p', { id: 'pipeline', class: 'note', 'data-steps': pipeline.steps.join(',') },
        t('promotions.pipeline', { steps: pipeline.steps.map((s) => t('promotions.step.' + s)).join(' → ') })),
      promotionsTable(active),
      el('section', { id: 'cart', class: 'block', 'aria-labelledby': 'cart-title' }, el('h2', { id: 'cart-title', text: t('promotions.cart.title') }), cart),
      el('section', { id: 'draft', class: 'block', 'aria-labelledby': 'draft-title' }, el('h2', { id: 'draft-title', text: t('promotions.draft.title') }), draft));
  } catch (e) {
    status.fail(e);
  }
}

export const strings = {
  zh: {
    'promotions.lang': 'zh',
    'promotions.title': '促销',
    'promotions.caption': '进行中的促销（点击列标题排序）',
    'promotions.empty': '当前没有进行中的促销。',
    'promotions.pipeline': '叠加顺序：{steps}。同一阶段内按优先级、再按编号依次尝试。',
    'promotions.col.name': '名称', 'promotions.col.id': '编号', 'promotions.col.kind': '类型', 'promotions.col.status': '状态',
    'promotions.col.window': '有效期', 'promotions.col.stacking': '叠加规则',
    'promotions.window.always': '长期有效', 'promotions.window.open': '不限',
    'promotions.status.active': '进行中', 'promotions.status.draft': '草稿', 'promotions.status.archived': '已归档',
    'promotions.stage.item': '单品', 'promotions.stage.store': '店铺', 'promotions.stage.platform': '跨店/平台', 'promotions.stage.shipping': '运费',
    'promotions.step.item': '单品优惠', 'promotions.step.store_promotions': '店铺促销', 'promotions.step.store_coupons': '店铺券',
    'promotions.step.platform_promotions': '跨店满减', 'promotions.step.platform_coupons': '平台券', 'promotions.step.shipping': '运费',
    'promotions.stacking.exclusive': '不与其他优惠同享', 'promotions.stacking.group': '互斥组 {group}', 'promotions.stacking.with': '仅可叠加 {ids}',
    'promotions.stacking.priority': '优先级 {n}',
    'promotions.kind.threshold': '满减', 'promotions.kind.repeating_threshold': '每满减', 'promotions.kind.tiered': '阶梯满减',
    'promotions.kind.threshold_percent': '满折', 'promotions.kind.quantity_percent': 'N件M折', 'promotions.kind.buy_x_get_y': '买赠/第二件半价',
    'promotions.kind.gift': '满赠', 'promotions.kind.direct': '直降', 'promotions.kind.flash_price': '限时折扣', 'promotions.kind.member_price': '会员价',
    'promotions.kind.member_day': '会员日', 'promotions.kind.free_shipping': '包邮', 'promotions.kind.presale': '定金膨胀',
    'promotions.cart.title': '购物车模拟',
    'promotions.cart.denied': '购物车模拟需要结算（checkout）权限：运营和管理员可以使用，当前角色不提供。',
    'promotions.cart.lines': '购物车商品（价格为标价，单位元）',
    'promotions.cart.sku': 'SKU', 'promotions.cart.store': '店铺', 'promotions.cart.category': '类目', 'promotions.cart.quantity': '数量',
    'promotions.cart.price': '单价（元）', 'promotions.cart.remove': '删除',
    'promotions.cart.sku.n': '第 {n} 行 SKU', 'promotions.cart.store.n': '第 {n} 行店铺', 'promotions.cart.category.n': '第 {n} 行类目',
    'promotions.cart.quantity.n': '第 {n} 行数量', 'promotions.cart.price.n': '第 {n} 行单价（元）',
    'promotions.cart.add': '添加商品', 'promotions.cart.tier': '会员等级', 'promotions.cart.customer': '客户编号（可选）',
    'promotions.tier.none': '非会员', 'promotions.tier.silver': '银卡', 'promotions.tier.gold': '金卡', 'promotions.tier.platinum': '铂金卡',
    'promotions.coupon.code': '优惠券码（可选）', 'promotions.coupon.kind': '券类型', 'promotions.coupon.amount': '券面额（元）',
    'promotions.coupon.threshold': '使用门槛（元）',
    'promotions.coupon.kind.platform': '平台券', 'promotions.coupon.kind.store': '店铺券（第一行的店铺）', 'promotions.coupon.kind.no_threshold': '无门槛券',
    'promotions.cart.hint': '按当前时间、用进行中的促销计价；填写券码和面额即视为顾客持有这张券，由引擎决定是否使用。',
    'promotions.cart.run': '计算价格',
    'promotions.cart.failed': '计价失败：',
    'promotions.priced.title': '计价结果',
    'promotions.priced.goods': '商品标价', 'promotions.priced.discount': '优惠合计', 'promotions.priced.shipping': '运费',
    'promotions.priced.total': '实付合计', 'promotions.priced.platform': '平台承担', 'promotions.priced.merchant': '商家承担',
    'promotions.priced.lines': '每行商品', 'promotions.priced.steps': '每项优惠（按应用顺序）', 'promotions.priced.nosteps': '这个购物车没有享受任何优惠。',
    'promotions.priced.col.line_id': '行', 'promotions.priced.col.sku': 'SKU', 'promotions.priced.col.store': '店铺', 'promotions.priced.col.quantity': '数量',
    'promotions.priced.col.unit': '单价', 'promotions.priced.col.list': '标价金额', 'promotions.priced.col.discount': '优惠', 'promotions.priced.col.paid': '实付',
    'promotions.priced.col.stage': '阶段', 'promotions.priced.col.name': '优惠', 'promotions.priced.col.amount': '金额',
    'promotions.priced.col.platform': '平台承担', 'promotions.priced.col.merchant': '商家承担',
    'promotions.priced.request': '发送的请求（POST /v1/carts/price）',
    'promotions.why.title': '为什么这样计价',
    'promotions.why.yes': '✓ 已享受', 'promotions.why.no': '✗ 未享受',
    'promotions.why.applied': '{name}（{id}）：{stage}阶段，共优惠 {amount}，分摊到第 {lines} 行。',
    'promotions.why.coupon': '优惠券 {name}（{id}）：{stage}阶段，共优惠 {amount}，分摊到第 {lines} 行。',
    'promotions.why.shipping': '{name}（{id}）：免运费 {amount}。',
    'promotions.why.gift': '{name}（{id}）：赠送 {sku} ×{quantity}。',
    'promotions.why.next': '{name}（{id}）：门槛未达到，{message}。',
    'promotions.why.noshipping': '{name}（{id}）：这个购物车没有运费，无需包邮。',
    'promotions.why.notmatched': '{name}（{id}）：购物车中没有适用的商品（店铺、类目、会员等级或时间不符），或与已享受的优惠不能叠加。',
    'promotions.why.unused': '优惠券 {code} 未使用（{reason}）：{message}',
    'promotions.draft.title': '草稿预演（发布前模拟）',
    'promotions.draft.denied': '草稿预演需要营销编辑（marketing:write）权限：运营和管理员可以使用，当前角色不提供。',
    'promotions.draft.label': '促销草稿（JSON 数组，金额单位为分）',
    'promotions.draft.hint': '已预填一个示例：双11 跨店每满300减50（平台承担 60%）和旗舰店满199打9折。可以修改或粘贴自己的草稿；不会保存或发布。',
    'promotions.draft.example': '恢复示例',
    'promotions.draft.from': '回放开始日期', 'promotions.draft.to': '回放结束日期',
    'promotions.draft.run': '校验并模拟',
    'promotions.draft.badjson': '草稿不是有效的 JSON：',
    'promotions.draft.failed': '模拟失败：',
    'promotions.draft.valid': '校验通过：草稿本身有效，也与已有促销没有冲突。',
    'promotions.draft.invalid': '校验发现 {n} 个问题（按 JSON 路径）：',
    'promotions.sim.orders': '回放订单数', 'promotions.sim.list': '订单标价金额', 'promotions.sim.cost': '预计优惠成本（含免运费）',
    'promotions.sim.platform': '平台承担', 'promotions.sim.merchant': '商家承担', 'promotions.sim.rate': '平均折扣率',
    'promotions.sim.crossing': '达到门槛的订单', 'promotions.sim.near': '差 20% 以内未达门槛的订单',
    'promotions.sim.caption': '用 {from} 至 {to} 的历史订单回放草稿：每个促销的效果',
    'promotions.sim.col.name': '促销', 'promotions.sim.col.id': '编号', 'promotions.sim.col.orders': '适用订单', 'promotions.sim.col.discount': '优惠金额',
    'promotions.sim.col.platform': '平台承担', 'promotions.sim.col.merchant': '商家承担', 'promotions.sim.col.near': '差一点达到门槛',
    'promotions.sim.conflicts': '冲突与无效定义', 'promotions.sim.noconflicts': '草稿内部没有冲突。',
  },
  en: {
    'promotions.lang': 'en',
    'promotions.title': 'Promotions',
    'promotions.caption': 'Active promotions (click a column heading to sort)',
    'promotions.empty': 'No promotion is active.',
    'promotions.pipeline': 'Stacking order: {steps}. Within a stage, promotions are tried by priority, then id.',
    'promotions.col.name': 'Name', 'promotions.col.id': 'Id', 'promotions.col.kind': 'Kind', 'promotions.col.status': 'Status',
    'promotions.col.window': 'Window', 'promotions.col.stacking': 'Stacking',
    'promotions.window.always': 'Always', 'promotions.window.open': 'open',
    'promotions.status.active': 'active', 'promotions.status.draft': 'draft', 'promotions.status.archived': 'archived',
    'promotions.stage.item': 'item', 'promotions.stage.store': 'store', 'promotions.stage.platform': 'platform', 'promotions.stage.shipping': 'shipping',
    'promotions.step.item': 'item discounts', 'promotions.step.store_promotions': 'store promotions', 'promotions.step.store_coupons': 'store coupons',
    'promotions.step.platform_promotions': 'cross-store promotions', 'promotions.step.platform_coupons': 'platform coupons', 'promotions.step.shipping': 'shipping',
    'promotions.stacking.exclusive': 'exclusive', 'promotions.stacking.group': 'group {group}', 'promotions.stacking.with': 'stacks only with {ids}',
    'promotions.stacking.priority': 'priority {n}',
    'promotions.kind.threshold': 'Spend & save', 'promotions.kind.repeating_threshold': 'Every-step off', 'promotions.kind.tiered': 'Tiered off',
    'promotions.kind.threshold_percent': 'Spend & % off', 'promotions.kind.quantity_percent': 'N items % off', 'promotions.kind.buy_x_get_y': 'Buy X get Y',
    'promotions.kind.gift': 'Gift with purchase', 'promotions.kind.direct': 'Direct discount', 'promotions.kind.flash_price': 'Flash price',
    'promotions.kind.member_price': 'Member price', 'promotions.kind.member_day': 'Member day', 'promotions.kind.free_shipping': 'Free shipping',
    'promotions.kind.presale': 'Presale deposit',
    'promotions.cart.title': 'Cart simulator',
    'promotions.cart.denied': 'The cart simulator needs the checkout permission (marketers and admins); it is not offered to this role.',
    'promotions.cart.lines': 'Cart lines (list prices in yuan)',
    'promotions.cart.sku': 'SKU', 'promotions.cart.store': 'Store', 'promotions.cart.category': 'Category', 'promotions.cart.quantity': 'Quantity',
    'promotions.cart.price': 'Unit price (¥)', 'promotions.cart.remove': 'Remove',
    'promotions.cart.sku.n': 'Line {n} SKU', 'promotions.cart.store.n': 'Line {n} store', 'promotions.cart.category.n': 'Line {n} category',
    'promotions.cart.quantity.n': 'Line {n} quantity', 'promotions.cart.price.n': 'Line {n} unit price (¥)',
    'promotions.cart.add': 'Add a line', 'promotions.cart.tier': 'Member tier', 'promotions.cart.customer': 'Customer id (optional)',
    'promotions.tier.none': 'Not a member', 'promotions.tier.silver': 'Silver', 'promotions.tier.gold': 'Gold', 'promotions.tier.platinum': 'Platinum',
    'promotions.coupon.code': 'Coupon code (optional)', 'promotions.coupon.kind': 'Coupon kind', 'promotions.coupon.amount': 'Coupon value (¥)',
    'promotions.coupon.threshold': 'Minimum spend (¥)',
    'promotions.coupon.kind.platform': 'Platform coupon', 'promotions.coupon.kind.store': 'Store coupon (first line\'s store)', 'promotions.coupon.kind.no_threshold': 'No-threshold coupon',
    'promotions.cart.hint': 'Priced now against the active promotions. A coupon code with a value means the shopper holds that coupon; the engine decides whether to use it.',
    'promotions.cart.run': 'Price the cart',
    'promotions.cart.failed': 'Pricing failed: ',
    'promotions.priced.title': 'Priced cart',
    'promotions.priced.goods': 'Goods at list price', 'promotions.priced.discount': 'Discounts', 'promotions.priced.shipping': 'Shipping',
    'promotions.priced.total': 'Total to pay', 'promotions.priced.platform': 'Funded by platform', 'promotions.priced.merchant': 'Funded by merchant',
    'promotions.priced.lines': 'Lines', 'promotions.priced.steps': 'Discounts in the order applied', 'promotions.priced.nosteps': 'No discount applies to this cart.',
    'promotions.priced.col.line_id': 'Line', 'promotions.priced.col.sku': 'SKU', 'promotions.priced.col.store': 'Store', 'promotions.priced.col.quantity': 'Qty',
    'promotions.priced.col.unit': 'Unit price', 'promotions.priced.col.list': 'List amount', 'promotions.priced.col.discount': 'Discount', 'promotions.priced.col.paid': 'Paid',
    'promotions.priced.col.stage': 'Stage', 'promotions.priced.col.name': 'Discount', 'promotions.priced.col.amount': 'Amount',
    'promotions.priced.col.platform': 'Platform', 'promotions.priced.col.merchant': 'Merchant',
    'promotions.priced.request': 'The request sent (POST /v1/carts/price)',
    'promotions.why.title': 'Why this price',
    'promotions.why.yes': '✓ applied', 'promotions.why.no': '✗ not applied',
    'promotions.why.applied': '{name} ({id}): {stage} stage, {amount} off in all, on line(s) {lines}.',
    'promotions.why.coupon': 'Coupon {name} ({id}): {stage} stage, {amount} off in all, on line(s) {lines}.',
    'promotions.why.shipping': '{name} ({id}): {amount} shipping waived.',
    'promotions.why.gift': '{name} ({id}): gift {sku} ×{quantity}.',
    'promotions.why.next': '{name} ({id}): threshold not reached — {message}.',
    'promotions.why.noshipping': '{name} ({id}): this cart has no shipping fee to waive.',
    'promotions.why.notmatched': '{name} ({id}): no line in the cart qualifies (store, category, member tier or time), or it cannot stack with a discount already applied.',
    'promotions.why.unused': 'Coupon {code} not used ({reason}): {message}',
    'promotions.draft.title': 'Draft simulation (before publishing)',
    'promotions.draft.denied': 'The draft simulation needs the marketing:write permission (marketers and admins); it is not offered to this role.',
    'promotions.draft.label': 'Draft promotions (a JSON list, money in fen)',
    'promotions.draft.hint': 'Prefilled with an example: a 双11 cross-store ¥50 off every ¥300 (60% platform-funded) and a flagship 10% off from ¥199. Edit it or paste your own; nothing is saved or published.',
    'promotions.draft.example': 'Restore the example',
    'promotions.draft.from': 'Replay from', 'promotions.draft.to': 'Replay to',
    'promotions.draft.run': 'Validate and simulate',
    'promotions.draft.badjson': 'The draft is not valid JSON: ',
    'promotions.draft.failed': 'Simulation failed: ',
    'promotions.draft.valid': 'Valid: the draft is well-formed and conflicts with no stored promotion.',
    'promotions.draft.invalid': 'Validation found {n} problem(s), by JSON path:',
    'promotions.sim.orders': 'Orders replayed', 'promotions.sim.list': 'List value', 'promotions.sim.cost': 'Expected cost (incl. shipping waived)',
    'promotions.sim.platform': 'Funded by platform', 'promotions.sim.merchant': 'Funded by merchant', 'promotions.sim.rate': 'Average discount rate',
    'promotions.sim.crossing': 'Orders crossing a threshold', 'promotions.sim.near': 'Orders within 20% of one',
    'promotions.sim.caption': 'The draft replayed on the orders of {from} to {to}: each promotion\'s outcome',
    'promotions.sim.col.name': 'Promotion', 'promotions.sim.col.id': 'Id', 'promotions.sim.col.orders': 'Orders', 'promotions.sim.col.discount': 'Discount',
    'promotions.sim.col.platform': 'Platform', 'promotions.sim.col.merchant': 'Merchant', 'promotions.sim.col.near': 'Near misses',
    'promotions.sim.conflicts': 'Conflicts and invalid definitions', 'promotions.sim.noconflicts': 'No conflicts within the draft.',
  },
};

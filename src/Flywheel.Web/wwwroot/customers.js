// Customers: the RFM grid (R × FM heat map with each cell's segment), the segments with size, GMV share and recommended
// action, a segment's persona, the customers behind a count, and one customer's profile (personal data masked by the API for
// roles without personal:read). Routes: #/customers (grid), #/customers?view=segments, #/customers?view=persona&segment=X,
// #/customers?segment=X or ?r=R&fm=FM (members), #/customers/ID (profile).
import { t, language } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable, exportBar } from './table.js';
import { loading } from './range.js';

/** How many members a list shows; the total is stated beside it (GET /v1/rfm lists at most 100,000). */
export const MEMBERS_SHOWN = 200;

const GROUPS = ['high_value', 'potential', 'churn_risk'];
const STAGES = ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'churned', 'reactivated'];

// Sort orders kept across re-renders (language).
const sorts = { segments: { column: 'customers', direction: 'descending' }, members: { column: 'monetary', direction: 'descending' } };

let storeFacts = null;

/** The store's currency and time zone (from the metrics report, which states both), read once. */
async function facts() {
  if (!storeFacts) {
    const report = await api.get('/v1/metrics');
    storeFacts = { currency: report.currency ?? 'CNY', timeZone: report.time_zone ?? undefined };
  }
  return storeFacts;
}

/** The route inside the page: the customer id of a profile, or the query of the other views. */
function parseRoute() {
  const path = location.hash.replace(/^#\/?/, '');
  const [head, query = ''] = path.split('?');
  const slash = head.indexOf('/');
  const id = slash >= 0 ? decodeURIComponent(head.slice(slash + 1)) : null;
  return { id: id || null, params: new URLSearchParams(query) };
}

const en = () => language() === 'en';
const segmentName = (s) => (s ? (en() ? s.name_en : s.name_zh) : format.EMPTY);
const segmentAction = (s) => (en() ? s.action_en : s.action_zh);
const membersHref = (query) => `#/customers?${new URLSearchParams(query)}`;

/** Shading level 0 (empty) to 5 (the fullest cell); app.css gives each level a background and a text colour with AA contrast. */
export function heatLevel(count, max) {
  if (!count || !max) return 0;
  return Math.min(5, 1 + Math.floor((4 * count) / max + 1e-9));
}

function tabs(active, segment) {
  const items = [
    ['rfm', '#/customers'],
    ['segments', '#/customers?view=segments'],
    ['persona', `#/customers?view=persona&segment=${encodeURIComponent(segment ?? 'champions')}`],
  ];
  return el('nav', { class: 'tabs', 'aria-label': t('customers.tabs') },
    el('ul', {}, items.map(([view, href]) => el('li', {},
      el('a', { href, 'data-view': view, 'aria-current': view === active ? 'page' : false, text: t('customers.tab.' + view) })))));
}

function header(active, segment) {
  return [el('h1', { text: t('customers.title') }), tabs(active, segment)];
}

function rfmNote(rfm) {
  return el('p', { id: 'rfm-note', class: 'note', 'data-as-of': rfm.as_of, 'data-scored': rfm.customers_scored },
    t('customers.rfm.note', { asOf: rfm.as_of, window: rfm.window_days, scored: format.count(rfm.customers_scored) }));
}

function gridTable(rfm) {
  const byCode = new Map(rfm.segments.map((s) => [s.code, s]));
  const max = Math.max(0, ...rfm.grid.map((c) => c.customers));
  const rows = [5, 4, 3, 2, 1].map((r) => el('tr', { 'data-r': r },
    el('th', { scope: 'row', text: t('customers.grid.r', { r }) }),
    rfm.grid.filter((c) => c.r === r).map((c) => {
      const name = segmentName(byCode.get(c.segment));
      const count = format.count(c.customers);
      return el('td', { class: `heat heat-${heatLevel(c.customers, max)}`, 'data-r': c.r, 'data-fm': c.fm, 'data-segment': c.segment, 'data-customers': c.customers },
        el('span', { class: 'heat-name', text: name }),
        c.customers > 0
          ? el('a', { class: 'heat-count', href: membersHref({ r: c.r, fm: c.fm }), 'aria-label': t('customers.grid.link', { count, segment: name, r: c.r, fm: c.fm }), text: count })
          : el('span', { class: 'heat-count', text: count }));
    })));
  // The export is the grid in long form: one row per cell with its R, FM, segment and customers.
  const exported = [
    { key: 'r', kind: 'count', label: 'R' }, { key: 'fm', kind: 'count', label: 'FM' },
    { key: 'segment', kind: 'text', label: t('customers.grid.segment'), value: (c) => segmentName(byCode.get(c.segment)) },
    { key: 'customers', kind: 'count', label: t('customers.grid.customers') },
  ];
  const bar = exportBar({ id: 'rfm-grid', caption: t('customers.grid.caption'), exportName: `rfm-grid-${rfm.as_of ?? ''}` }, exported, () => rfm.grid);
  return el('div', { class: 'table-block' }, bar, el('div', { class: 'table-wrap' }, el('table', { id: 'rfm-grid', class: 'grid heatmap' },
    el('caption', { text: t('customers.grid.caption') }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: t('customers.grid.corner') }),
      [1, 2, 3, 4, 5].map((fm) => el('th', { scope: 'col', class: 'num', text: t('customers.grid.fm', { fm }) })))),
    el('tbody', {}, rows))));
}

async function renderGrid(main) {
  const rfm = await api.get('/v1/rfm');
  main.replaceChildren(...header('rfm'), rfmNote(rfm), gridTable(rfm),
    el('p', { class: 'note', text: t('customers.grid.legend') }));
}

async function renderSegments(main) {
  const [rfm, { currency }] = await Promise.all([api.get('/v1/rfm'), facts()]);
  const rows = rfm.segments.map((s) => ({ ...s, name: segmentName(s), group_name: t('customers.group.' + s.group), action: segmentAction(s) }));
  const table = dataTable({
    id: 'segments-table',
    caption: t('customers.segments.caption'),
    exportName: `rfm-segments-${rfm.as_of}`,
    rowKey: (row) => row.code,
    currency,
    sort: sorts.segments,
    columns: [
      { key: 'name', label: t('customers.col.segment'), header: true },
      { key: 'group_name', label: t('customers.col.group') },
      { key: 'customers', kind: 'count', label: t('customers.col.customers'), href: (row) => (row.customers > 0 ? membersHref({ segment: row.code }) : null) },
      { key: 'share', kind: 'percent', label: t('customers.col.share') },
      { key: 'gmv', kind: 'money', label: t('customers.col.gmv') },
      { key: 'gmv_share', kind: 'percent', label: t('customers.col.gmv_share') },
      { key: 'average_clv', kind: 'money', label: t('customers.col.average_clv') },
      { key: 'action', label: t('customers.col.action') },
      { key: 'persona', label: t('customers.col.persona'), value: () => null, text: () => t('customers.persona.link'),
        href: (row) => `#/customers?view=persona&segment=${encodeURIComponent(row.code)}` },
    ],
    rows,
  });
  main.replaceChildren(...header('segments'), rfmNote(rfm), table);
}

async function renderPersona(main, params) {
  const segment = params.get('segment') || 'champions';
  const [rfm, { currency }] = await Promise.all([api.get('/v1/rfm'), facts()]);
  const choices = [['all', t('customers.persona.all')],
    ...rfm.segments.map((s) => [s.code, segmentName(s)]),
    ...GROUPS.map((g) => [g, t('customers.group.' + g)])];
  const select = el('select', { id: 'persona-segment', name: 'segment' },
    choices.map(([value, text]) => el('option', { value, selected: value === segment, text })));
  select.addEventListener('change', () => { location.hash = `#/customers?view=persona&segment=${encodeURIComponent(select.value)}`; });
  const picker = el('div', { class: 'range' },
    el('label', { for: 'persona-segment', text: t('customers.persona.pick') }), select);
  main.replaceChildren(...header('persona', segment), picker, el('p', { class: 'loading', role: 'status', text: t('loading') }));
  const persona = await api.get(`/v1/personas/${encodeURIComponent(segment)}`);
  const summary = el('dl', { id: 'persona-summary', class: 'facts' },
    fact('customers', t('customers.persona.customers'), t('customers.persona.of', { n: format.count(persona.customers), base: format.count(persona.base_customers) })),
    fact('aov', t('customers.persona.aov'), t('customers.persona.vs', { value: format.money(persona.aov, currency), base: format.money(persona.base_aov, currency) })),
    fact('orders_per_customer', t('customers.persona.orders'), t('customers.persona.vs', { value: format.ratio(persona.orders_per_customer), base: format.ratio(persona.base_orders_per_customer) })));
  const highlights = el('section', { class: 'highlights' },
    el('h2', { text: t('customers.persona.highlights') }),
    persona.highlights.length
      ? el('ul', {}, persona.highlights.map((h) => el('li', { text: en() ? h.text_en : h.text_zh })))
      : el('p', { class: 'note', text: t('customers.persona.none') }));
  const dimensions = persona.dimensions.map((d) => {
    const name = en() ? d.name_en : d.name_zh;
    return dataTable({
      id: `persona-${d.code}`,
      caption: name,
      exportName: `persona-${segment}-${d.code}`,
      rows: d.values.map((v) => ({ ...v, label: en() ? v.label_en : v.label_zh })),
      columns: [
        { key: 'label', label: name, header: true },
        { key: 'customers', kind: 'count', label: t('customers.col.customers') },
        { key: 'share', kind: 'percent', label: t('customers.persona.share') },
        { key: 'base_share', kind: 'percent', label: t('customers.persona.base_share') },
        { key: 'lift', kind: 'ratio', label: t('customers.persona.lift') },
      ],
    });
  });
  main.replaceChildren(...header('persona', segment), picker,
    el('p', { id: 'persona-note', class: 'note', 'data-segment': persona.segment, text: t('customers.persona.note', { asOf: persona.as_of }) }),
    summary, highlights, el('div', { class: 'persona-tables' }, dimensions));
}

async function renderMembers(main, params) {
  const segment = params.get('segment');
  const r = params.get('r');
  const fm = params.get('fm');
  const query = segment ? { segment } : { r, fm };
  const [rfm, { currency }] = await Promise.all([
    api.get(`/v1/rfm?${new URLSearchParams({ customers: MEMBERS_SHOWN, ...query })}`), facts()]);
  const byCode = new Map(rfm.segments.map((s) => [s.code, s]));
  const title = segment
    ? t('customers.members.segment', { segment: segmentName(byCode.get(segment)) })
    : t('customers.members.cell', { r, fm, segment: segmentName(byCode.get(rfm.grid.find((c) => String(c.r) === r && String(c.fm) === fm)?.segment)) });
  const rows = rfm.customers.map((c) => ({ ...c, segment_name: segmentName(byCode.get(c.segment)) }));
  const table = dataTable({
    id: 'members-table',
    caption: title,
    exportName: segment ? `rfm-${segment}-${rfm.as_of}` : `rfm-r${r}-fm${fm}-${rfm.as_of}`,
    currency,
    sort: sorts.members,
    columns: [
      { key: 'customer_id', label: t('customers.col.customer'), header: true, href: (row) => `#/customers/${encodeURIComponent(row.customer_id)}` },
      { key: 'segment_name', label: t('customers.col.segment') },
      { key: 'recency_days', kind: 'count', label: t('customers.col.recency_days') },
      { key: 'frequency', kind: 'count', label: t('customers.col.frequency') },
      { key: 'monetary', kind: 'money', label: t('customers.col.monetary') },
      { key: 'r', kind: 'count', label: 'R' },
      { key: 'f', kind: 'count', label: 'F' },
      { key: 'm', kind: 'count', label: 'M' },
    ],
    rows,
  });
  main.replaceChildren(...header(segment ? 'segments' : 'rfm'),
    el('h2', { text: title }),
    el('p', { id: 'members-note', class: 'note', 'data-total': rfm.customers_matching, 'data-shown': rows.length },
      t(rows.length < rfm.customers_matching ? 'customers.members.capped' : 'customers.members.all',
        { shown: format.count(rows.length), total: format.count(rfm.customers_matching), asOf: rfm.as_of })),
    table);
}

function fact(field, label, value) {
  return el('div', { class: 'fact' }, el('dt', { text: label }), el('dd', { 'data-field': field, text: value ?? format.EMPTY }));
}

function section(id, title, ...content) {
  return el('section', { id, class: 'profile-part', 'aria-labelledby': `${id}-title` }, el('h2', { id: `${id}-title`, text: title }), ...content);
}

async function renderProfile(main, id, session) {
  const [profile, { currency, timeZone }] = await Promise.all([api.get(`/v1/customers/${encodeURIComponent(id)}/profile`), facts()]);
  let coupons = null;
  try {
    coupons = (await api.get(`/v1/customers/${encodeURIComponent(id)}/coupons`)).coupons;
  } catch {
    coupons = null; // the Promotions module may be absent: the profile stands without its coupons
  }
  const when = (iso) => (iso ? new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)) : format.EMPTY);
  const clear = session?.permissions?.includes('personal:read') ?? false;
  const a = profile.attributes;
  const rfm = profile.rfm;
  const identity = profile.identity ?? {};
  const parts = [
    section('profile-identity', t('customers.profile.identity'),
      el('p', { id: 'profile-masking', class: 'note', 'data-masked': clear ? 'false' : 'true', text: t(clear ? 'customers.profile.clear' : 'customers.profile.masked') }),
      el('dl', { class: 'facts' },
        fact('customer_id', t('customers.col.customer'), profile.customer_id),
        fact('name', t('customers.profile.name'), identity.name),
        fact('phone', t('customers.profile.phone'), identity.phone),
        fact('email', t('customers.profile.email'), identity.email),
        fact('gender', t('customers.profile.gender'), a.gender ? t('customers.gender.' + a.gender) : null),
        fact('birth_date', t('customers.profile.birth_date'), a.birth_date),
        fact('city', t('customers.profile.city'), [a.province, a.city].filter(Boolean).join(' ') || null),
        fact('city_tier', t('customers.profile.city_tier'), a.city_tier),
        fact('signup_channel', t('customers.profile.signup_channel'), a.signup_channel),
        fact('member_tier', t('customers.profile.member_tier'), a.member_tier),
        fact('consents', t('customers.profile.consents'), profile.consents.length ? profile.consents.join(', ') : t('customers.profile.none')),
        profile.forgotten_at ? fact('forgotten_at', t('customers.profile.forgotten_at'), when(profile.forgotten_at)) : null)),
    section('profile-rfm', t('customers.profile.rfm', { asOf: profile.as_of }),
      rfm
        ? el('dl', { class: 'facts' },
          fact('segment', t('customers.col.segment'), null),
          fact('rfm_scores', t('customers.profile.scores'), `R ${rfm.r} · F ${rfm.f} · M ${rfm.m}`),
          fact('recency_days', t('customers.col.recency_days'), format.count(rfm.recency_days)),
          fact('frequency', t('customers.col.frequency'), format.count(rfm.frequency)),
          fact('monetary', t('customers.col.monetary'), format.money(rfm.monetary, currency)),
          fact('action', t('customers.col.action'), segmentAction(rfm.segment)))
        : el('p', { class: 'note', text: t('customers.profile.unscored') }),
      el('dl', { class: 'facts' },
        fact('lifecycle', t('customers.profile.lifecycle'), STAGES.includes(profile.lifecycle.stage) ? t('customers.stage.' + profile.lifecycle.stage) : profile.lifecycle.stage),
        fact('rhythm_days', t('customers.profile.rhythm'), profile.lifecycle.rhythm_days === null ? null : format.count(profile.lifecycle.rhythm_days)),
        profile.clv ? fact('p_alive', t('customers.profile.p_alive'), format.percent(profile.clv.p_alive)) : null,
        profile.clv ? fact('clv', t('customers.profile.clv'), format.money(profile.clv.value, currency)) : null,
        fact('segments', t('customers.profile.segments'), profile.segments.length ? profile.segments.join(', ') : t('customers.profile.none')))),
    section('profile-orders', t('customers.profile.orders'),
      el('dl', { class: 'facts' },
        fact('orders', t('customers.profile.order_count'), format.count(profile.orders.count)),
        fact('gmv', t('customers.col.gmv'), format.money(profile.orders.gmv, currency)),
        fact('refunds', t('customers.profile.refunds'), format.money(profile.orders.refunds, currency)),
        fact('first_paid_at', t('customers.profile.first_paid'), when(profile.orders.first_paid_at)),
        fact('last_paid_at', t('customers.profile.last_paid'), when(profile.orders.last_paid_at)))),
    section('profile-coupons', t('customers.profile.coupons'),
      coupons === null
        ? el('p', { class: 'note', text: t('customers.profile.no_coupons_api') })
        : dataTable({
          id: 'coupons-table',
          caption: t('customers.profile.coupons'),
          exportName: `coupons-${profile.customer_id}`,
          empty: t('customers.profile.no_coupons'),
          rows: coupons.map((c) => ({ ...c, state_name: t('customers.coupon.' + c.state), valid: `${when(c.valid_from)} – ${when(c.valid_to)}` })),
          columns: [
            { key: 'code', label: t('customers.coupon.code'), header: true },
            { key: 'batch_name', label: t('customers.coupon.batch') },
            { key: 'state_name', label: t('customers.coupon.state') },
            { key: 'valid', label: t('customers.coupon.valid') },
            { key: 'order_id', label: t('customers.coupon.order') },
          ],
        })),
  ];
  main.replaceChildren(
    el('h1', { text: t('customers.profile.title', { id: profile.customer_id }) }),
    tabs(null),
    ...parts);
  // The segment links to its members: text from the API, so built as an element rather than formatted into a string.
  const segmentCell = main.querySelector('[data-field=segment]');
  if (segmentCell && rfm) segmentCell.replaceChildren(el('a', { href: membersHref({ segment: rfm.segment.code }), text: segmentName(rfm.segment) }));
}

/** session: the signed-in session; the profile says whether its personal data is masked for this role. */
export async function render(main, session) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('customers.title') }), status.node);
  const { id, params } = parseRoute();
  try {
    if (id) await renderProfile(main, id, session);
    else if ((params.has('segment') && params.get('view') !== 'persona') || params.has('r')) await renderMembers(main, params);
    else if (params.get('view') === 'segments') await renderSegments(main);
    else if (params.get('view') === 'persona') await renderPersona(main, params);
    else await renderGrid(main);
  } catch (e) {
    main.replaceChildren(el('h1', { text: t('customers.title') }), status.node);
    status.fail(e);
  }
}

export const strings = {
  zh: {
    'customers.title': '客户分析',
    'customers.tabs': '客户分析视图',
    'customers.tab.rfm': 'RFM 网格', 'customers.tab.segments': '客户分层', 'customers.tab.persona': '人群画像',
    'customers.rfm.note': '截至 {asOf}，近 {window} 天有购买的 {scored} 位客户按五分位评分。',
    'customers.grid.caption': 'RFM 网格：行是最近购买得分 R，列是频次与金额综合得分 FM =（F + M）/ 2 四舍五入；每格给出所属分层与客户数',
    'customers.grid.corner': 'R \\ FM', 'customers.grid.segment': '分层', 'customers.grid.customers': '客户数',
    'customers.grid.r': 'R = {r}', 'customers.grid.fm': 'FM = {fm}',
    'customers.grid.link': '{count} 位客户（{segment}，R={r}，FM={fm}）',
    'customers.grid.legend': '颜色越深客户越多。点击人数查看这些客户。',
    'customers.group.high_value': '高价值', 'customers.group.potential': '潜力', 'customers.group.churn_risk': '流失风险',
    'customers.segments.caption': 'RFM 客户分层：人数、GMV 占比与建议动作（点击人数查看客户）',
    'customers.col.segment': '分层', 'customers.col.group': '运营分组', 'customers.col.customers': '客户数', 'customers.col.share': '人数占比',
    'customers.col.gmv': '成交额 GMV', 'customers.col.gmv_share': 'GMV 占比', 'customers.col.average_clv': '平均 CLV',
    'customers.col.action': '建议动作', 'customers.col.persona': '画像', 'customers.col.customer': '客户 ID',
    'customers.col.recency_days': '距上次购买天数', 'customers.col.frequency': '购买次数', 'customers.col.monetary': '消费金额',
    'customers.persona.link': '查看画像',
    'customers.persona.pick': '人群',
    'customers.persona.all': '全部客户',
    'customers.persona.note': '截至 {asOf}；占比与全部客户对比，提升度 = 人群占比 / 全体占比。',
    'customers.persona.customers': '人数', 'customers.persona.of': '{n} / 全部 {base}',
    'customers.persona.aov': '客单价', 'customers.persona.orders': '人均订单数', 'customers.persona.vs': '{value}（全体 {base}）',
    'customers.persona.highlights': '显著特征', 'customers.persona.none': '没有明显区别于全体的特征。',
    'customers.persona.share': '人群占比', 'customers.persona.base_share': '全体占比', 'customers.persona.lift': '提升度',
    'customers.members.segment': '「{segment}」的客户',
    'customers.members.cell': 'R = {r}、FM = {fm}（{segment}）的客户',
    'customers.members.capped': '显示 {shown} 位，共 {total} 位（截至 {asOf}）。导出或 API（GET /v1/rfm?customers=N）可取得更多。',
    'customers.members.all': '共 {total} 位（截至 {asOf}）。',
    'customers.profile.title': '客户 {id}',
    'customers.profile.identity': '身份与属性',
    'customers.profile.masked': '当前角色无个人信息权限：姓名、手机、邮箱与生日已脱敏。',
    'customers.profile.clear': '当前角色可查看完整个人信息；每次查看都会记入审计日志。',
    'customers.profile.name': '姓名', 'customers.profile.phone': '手机', 'customers.profile.email': '邮箱',
    'customers.profile.gender': '性别', 'customers.profile.birth_date': '生日', 'customers.profile.city': '地区',
    'customers.profile.city_tier': '城市等级', 'customers.profile.signup_channel': '注册渠道', 'customers.profile.member_tier': '会员等级',
    'customers.profile.consents': '营销授权', 'customers.profile.none': '无', 'customers.profile.forgotten_at': '个人信息删除于',
    'customers.profile.rfm': 'RFM 与生命周期（截至 {asOf}）',
    'customers.profile.scores': 'RFM 得分', 'customers.profile.unscored': '近一年没有购买，未参与 RFM 评分。',
    'customers.profile.lifecycle': '生命周期阶段', 'customers.profile.rhythm': '购买节奏（天）',
    'customers.profile.p_alive': '仍活跃概率', 'customers.profile.clv': '预测 CLV', 'customers.profile.segments': '所属自定义分群',
    'customers.profile.orders': '订单', 'customers.profile.order_count': '订单数', 'customers.profile.refunds': '退款金额',
    'customers.profile.first_paid': '首次支付', 'customers.profile.last_paid': '最近支付',
    'customers.profile.coupons': '优惠券', 'customers.profile.no_coupons': '没有领取过优惠券。',
    'customers.profile.no_coupons_api': '无法读取优惠券。',
    'customers.gender.male': '男', 'customers.gender.female': '女', 'customers.gender.unknown': '未知',
    'customers.stage.prospect': '潜在客户', 'customers.stage.new': '新客', 'customers.stage.active': '活跃', 'customers.stage.at_risk': '有流失风险',
    'customers.stage.lapsed': '沉默', 'customers.stage.churned': '已流失', 'customers.stage.reactivated': '回流',
    'customers.coupon.code': '券码', 'customers.coupon.batch': '券批次', 'customers.coupon.state': '状态', 'customers.coupon.valid': '有效期',
    'customers.coupon.order': '使用订单',
    'customers.coupon.claimed': '已领取', 'customers.coupon.redeemed': '已使用', 'customers.coupon.expired': '已过期',
  },
  en: {
    'customers.title': 'Customers',
    'customers.tabs': 'Customer views',
    'customers.tab.rfm': 'RFM grid', 'customers.tab.segments': 'Segments', 'customers.tab.persona': 'Persona',
    'customers.rfm.note': 'As of {asOf}: the {scored} customers who bought in the last {window} days, scored by quintiles.',
    'customers.grid.caption': 'RFM grid: rows are the recency score R, columns the combined frequency-monetary score FM = (F + M) / 2 rounded half up; each cell gives its customers and segment',
    'customers.grid.corner': 'R \\ FM', 'customers.grid.segment': 'Segment', 'customers.grid.customers': 'Customers',
    'customers.grid.r': 'R = {r}', 'customers.grid.fm': 'FM = {fm}',
    'customers.grid.link': '{count} customers ({segment}, R={r}, FM={fm})',
    'customers.grid.legend': 'Darker cells hold more customers. Click a count to see the customers.',
    'customers.group.high_value': 'High value', 'customers.group.potential': 'Potential', 'customers.group.churn_risk': 'Churn risk',
    'customers.segments.caption': 'RFM segments: size, GMV share and the recommended action (click a size to see the customers)',
    'customers.col.segment': 'Segment', 'customers.col.group': 'Group', 'customers.col.customers': 'Customers', 'customers.col.share': 'Share',
    'customers.col.gmv': 'GMV', 'customers.col.gmv_share': 'GMV share', 'customers.col.average_clv': 'Average CLV',
    'customers.col.action': 'Recommended action', 'customers.col.persona': 'Persona', 'customers.col.customer': 'Customer ID',
    'customers.col.recency_days': 'Days since last order', 'customers.col.frequency': 'Orders', 'customers.col.monetary': 'Spent',
    'customers.persona.link': 'See persona',
    'customers.persona.pick': 'Group of customers',
    'customers.persona.all': 'All customers',
    'customers.persona.note': 'As of {asOf}; shares against all customers, lift = share in the group / share in all.',
    'customers.persona.customers': 'Customers', 'customers.persona.of': '{n} of {base}',
    'customers.persona.aov': 'Average order value', 'customers.persona.orders': 'Orders per customer', 'customers.persona.vs': '{value} (all: {base})',
    'customers.persona.highlights': 'What sets them apart', 'customers.persona.none': 'Nothing stands out against all customers.',
    'customers.persona.share': 'Share', 'customers.persona.base_share': 'Share of all', 'customers.persona.lift': 'Lift',
    'customers.members.segment': 'Customers in {segment}',
    'customers.members.cell': 'Customers with R = {r}, FM = {fm} ({segment})',
    'customers.members.capped': 'Showing {shown} of {total} (as of {asOf}). Export or the API (GET /v1/rfm?customers=N) gives more.',
    'customers.members.all': '{total} in all (as of {asOf}).',
    'customers.profile.title': 'Customer {id}',
    'customers.profile.identity': 'Identity and attributes',
    'customers.profile.masked': 'This role may not see personal data: name, phone, e-mail and birth date are masked.',
    'customers.profile.clear': 'This role sees personal data in clear; every view is recorded in the audit log.',
    'customers.profile.name': 'Name', 'customers.profile.phone': 'Phone', 'customers.profile.email': 'E-mail',
    'customers.profile.gender': 'Gender', 'customers.profile.birth_date': 'Birth date', 'customers.profile.city': 'Region',
    'customers.profile.city_tier': 'City tier', 'customers.profile.signup_channel': 'Signup channel', 'customers.profile.member_tier': 'Member tier',
    'customers.profile.consents': 'Consents', 'customers.profile.none': 'none', 'customers.profile.forgotten_at': 'Personal data erased at',
    'customers.profile.rfm': 'RFM and lifecycle (as of {asOf})',
    'customers.profile.scores': 'RFM scores', 'customers.profile.unscored': 'No order in the last year: not scored.',
    'customers.profile.lifecycle': 'Lifecycle stage', 'customers.profile.rhythm': 'Buying rhythm (days)',
    'customers.profile.p_alive': 'P(alive)', 'customers.profile.clv': 'Predicted CLV', 'customers.profile.segments': 'Saved segments',
    'customers.profile.orders': 'Orders', 'customers.profile.order_count': 'Orders', 'customers.profile.refunds': 'Refunds',
    'customers.profile.first_paid': 'First paid', 'customers.profile.last_paid': 'Last paid',
    'customers.profile.coupons': 'Coupons', 'customers.profile.no_coupons': 'No coupons claimed.',
    'customers.profile.no_coupons_api': 'Coupons could not be read.',
    'customers.gender.male': 'male', 'customers.gender.female': 'female', 'customers.gender.unknown': 'unknown',
    'customers.stage.prospect': 'Prospect', 'customers.stage.new': 'New', 'customers.stage.active': 'Active', 'customers.stage.at_risk': 'At risk',
    'customers.stage.lapsed': 'Lapsed', 'customers.stage.churned': 'Churned', 'customers.stage.reactivated': 'Reactivated',
    'customers.coupon.code': 'Code', 'customers.coupon.batch': 'Batch', 'customers.coupon.state': 'State', 'customers.coupon.valid': 'Valid',
    'customers.coupon.order': 'Used on order',
    'customers.coupon.claimed': 'claimed', 'customers.coupon.redeemed': 'redeemed', 'customers.coupon.expired': 'expired',
  },
};

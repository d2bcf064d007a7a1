// Creators: the creator ROI report (GET /v1/creators/report) by tier and by creator — reach, clicks, CTR, orders, GMV, new buyers,
// cost (fee + commission), ROI, CPA, commission — under the chosen attribution model, and the payout of the report's last month
// (GET /v1/creators/payouts): one line per collaboration that finance can check, the lines summing to the total. The API gives
// money in fen; the page shows yuan.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { loading } from './range.js';

export const MODELS = ['last_click', 'first_click', 'linear', 'time_decay', 'position_based', 'markov'];
const state = { model: 'last_click', month: null };
const creatorSort = { column: 'gmv', direction: 'descending' };
const payoutSort = { column: 'total', direction: 'descending' };

const yuan = (fen) => (fen === null || fen === undefined ? null : fen / 100);

/** A report line's figures flattened for the table: money in yuan, orders to two decimals (multi-touch credit is fractional). */
export function figures(m) {
  return {
    reach: m.reach, clicks: m.clicks, ctr: m.ctr, orders: Math.round(m.orders * 100) / 100, gmv: yuan(m.gmv), new_buyers: Math.round(m.new_buyers * 100) / 100,
    code_orders: m.code_orders, fee: yuan(m.fee), commission: yuan(m.commission), cost: yuan(m.cost), roi: m.roi, cpa: yuan(m.cpa),
  };
}

const METRIC_COLUMNS = [
  ['reach', 'count'], ['clicks', 'count'], ['ctr', 'percent'], ['orders', 'ratio'], ['gmv', 'money'], ['new_buyers', 'ratio'],
  ['fee', 'money'], ['commission', 'money'], ['cost', 'money'], ['roi', 'ratio'], ['cpa', 'money'],
];

const metricColumns = () => METRIC_COLUMNS.map(([key, kind]) => ({ key, kind, label: t('creators.col.' + key) }));

function modelPicker(main) {
  const select = el('select', { id: 'creators-model', name: 'model' },
    MODELS.map((m) => el('option', { value: m, selected: m === state.model, text: t('creators.model.' + m) })));
  select.addEventListener('change', () => {
    state.model = select.value;
    render(main);
  });
  return el('label', { class: 'creators-model' }, t('creators.model'), ' ', select);
}

export async function render(main) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('creators.title') }), status.node);
  try {
    const report = await api.get(`/v1/creators/report?${new URLSearchParams({ model: state.model })}`);
    const month = state.month ?? report.to.slice(0, 7);
    const payouts = await api.get(`/v1/creators/payouts?${new URLSearchParams({ month, model: state.model })}`);
    const tiers = report.tiers.map((r) => ({ tier: t('creators.tier.' + r.tier), code: r.tier, creators: r.creators, ...figures(r.metrics) }));
    const creators = report.creators.map((r) => ({
      creator: `${r.name} (${r.creator_id})`, id: r.creator_id, tier: t('creators.tier.' + r.tier), platform: r.platform, followers: r.followers,
      collaborations: r.collaborations, ...figures(r.metrics),
    }));
    const lines = payouts.lines.map((l) => ({
      collab: l.collab_id, creator: l.creator_name, title: l.title, rate: l.commission_bp / 10000, fee_due: yuan(l.fee_due), attributed_gmv: yuan(l.attributed_gmv),
      commission: yuan(l.commission), reversed: yuan(l.commission_reversed), total: yuan(l.total),
    }));
    const total = report.total;
    main.replaceChildren(
      el('h1', { text: t('creators.title') }),
      el('div', { class: 'creators-controls' }, modelPicker(main)),
      el('p', { id: 'creators-note', class: 'note', 'data-from': report.from, 'data-to': report.to, 'data-model': report.model },
        t('creators.note', { from: report.from, to: report.to, tz: report.time_zone, model: t('creators.model.' + report.model) })),
      el('dl', { class: 'creators-totals' },
        el('div', {}, el('dt', { text: t('creators.col.gmv') }), el('dd', { id: 'creators-total-gmv', text: format.money(yuan(total.gmv)) })),
        el('div', {}, el('dt', { text: t('creators.col.orders') }), el('dd', { id: 'creators-total-orders', text: format.ratio(total.orders) })),
        el('div', {}, el('dt', { text: t('creators.col.cost') }), el('dd', { id: 'creators-total-cost', text: format.money(yuan(total.cost)) })),
        el('div', {}, el('dt', { text: t('creators.col.roi') }), el('dd', { id: 'creators-total-roi', text: format.ratio(total.roi) }))),
      el('h2', { text: t('creators.byTier') }),
      dataTable({
        id: 'creators-tiers', caption: t('creators.byTier'), exportName: `creators-tiers-${report.from}-${report.to}`,
        columns: [{ key: 'tier', kind: 'text', label: t('creators.col.tier'), header: true }, { key: 'creators', kind: 'count', label: t('creators.col.creators') },
          ...metricColumns()],
        rows: tiers, rowKey: (r) => r.code,
      }),
      el('h2', { text: t('creators.byCreator') }),
      dataTable({
        id: 'creators-table', caption: t('creators.byCreator'), exportName: `creators-${report.from}-${report.to}`,
        columns: [{ key: 'creator', kind: 'text', label: t('creators.col.creator'), header: true }, { key: 'tier', kind: 'text', label: t('creators.col.tier') },
          { key: 'platform', kind: 'text', label: t('creators.col.platform') }, { key: 'followers', kind: 'count', label: t('creators.col.followers') },
          { key: 'collaborations', kind: 'count', label: t('creators.col.collaborations') }, ...metricColumns()],
        rows: creators, sort: creatorSort, rowKey: (r) => r.id, empty: t('creators.empty'),
      }),
      el('h2', { text: t('creators.payouts', { month: payouts.month }) }),
      el('p', { id: 'payouts-total', class: 'note', 'data-total': String(payouts.total) },
        t('creators.payoutTotal', { month: payouts.month, fee: format.money(yuan(payouts.fee_due)), commission: format.money(yuan(payouts.commission)),
          reversed: format.money(yuan(payouts.commission_reversed)), total: format.money(yuan(payouts.total)) })),
      dataTable({
        id: 'payouts-table', caption: t('creators.payouts', { month: payouts.month }), exportName: `payouts-${payouts.month}`,
        columns: [{ key: 'collab', kind: 'text', label: t('creators.col.collab'), header: true }, { key: 'creator', kind: 'text', label: t('creators.col.creator') },
          { key: 'title', kind: 'text', label: t('creators.col.title') }, { key: 'rate', kind: 'percent', label: t('creators.col.rate') },
          { key: 'fee_due', kind: 'money', label: t('creators.col.fee_due') }, { key: 'attributed_gmv', kind: 'money', label: t('creators.col.attributed_gmv') },
          { key: 'commission', kind: 'money', label: t('creators.col.commission') }, { key: 'reversed', kind: 'money', label: t('creators.col.reversed') },
          { key: 'total', kind: 'money', label: t('creators.col.total') }],
        rows: lines, sort: payoutSort, rowKey: (r) => r.collab, empty: t('creators.payoutsEmpty'),
      }),
      el('p', { class: 'note', text: t('creators.rule') }));
  } catch (e) {
    status.fail(e);
  }
}

export const strings = {
  zh: {
    'creators.title': '达人合作',
    'creators.note': '{from} 至 {to}（{tz}），归因模型：{model}。带达人专属券码的订单整单归该合作；其余订单按模型归给达人，同一订单不重复计算。',
    'creators.model': '归因模型',
    'creators.model.last_click': '末次点击', 'creators.model.first_click': '首次点击', 'creators.model.linear': '线性',
    'creators.model.time_decay': '时间衰减', 'creators.model.position_based': '位置加权', 'creators.model.markov': '马尔可夫',
    'creators.byTier': '按达人层级', 'creators.byCreator': '按达人',
    'creators.tier.head': '头部', 'creators.tier.mid': '腰部', 'creators.tier.tail': '尾部', 'creators.tier.koc': 'KOC', 'creators.tier.amateur': '素人',
    'creators.col.tier': '层级', 'creators.col.creators': '达人数', 'creators.col.creator': '达人', 'creators.col.platform': '平台',
    'creators.col.followers': '粉丝数', 'creators.col.collaborations': '合作数', 'creators.col.reach': '曝光', 'creators.col.clicks': '点击',
    'creators.col.ctr': '点击率', 'creators.col.orders': '订单', 'creators.col.gmv': 'GMV', 'creators.col.new_buyers': '新客',
    'creators.col.fee': '坑位费', 'creators.col.commission': '佣金', 'creators.col.cost': '成本', 'creators.col.roi': 'ROI', 'creators.col.cpa': 'CPA',
    'creators.col.collab': '合作', 'creators.col.title': '内容', 'creators.col.rate': '佣金率', 'creators.col.fee_due': '应付坑位费',
    'creators.col.attributed_gmv': '归因 GMV', 'creators.col.reversed': '退款冲回', 'creators.col.total': '应付合计',
    'creators.payouts': '{month} 结算单', 'creators.payoutTotal': '{month}：坑位费 {fee} + 佣金 {commission} − 退款冲回 {reversed} = 应付 {total}（各行相加等于合计）',
    'creators.empty': '还没有达人', 'creators.payoutsEmpty': '本月没有应付款项',
    'creators.rule': '佣金 = 佣金率 × 归因 GMV，按合作四舍五入到分；退款冲回 = 佣金率 × 这些订单已退款金额；ROI = GMV ÷（坑位费 + 佣金），CPA =（坑位费 + 佣金）÷ 订单。',
  },
  en: {
    'creators.title': 'Creators',
    'creators.note': '{from} to {to} ({tz}), attribution model: {model}. Orders with a creator’s exclusive coupon code go wholly to that collaboration; the model credits the rest, and no order counts twice.',
    'creators.model': 'Attribution model',
    'creators.model.last_click': 'Last click', 'creators.model.first_click': 'First click', 'creators.model.linear': 'Linear',
    'creators.model.time_decay': 'Time decay', 'creators.model.position_based': 'Position based', 'creators.model.markov': 'Markov',
    'creators.byTier': 'By tier', 'creators.byCreator': 'By creator',
    'creators.tier.head': 'Head', 'creators.tier.mid': 'Mid', 'creators.tier.tail': 'Tail', 'creators.tier.koc': 'KOC', 'creators.tier.amateur': 'Amateur',
    'creators.col.tier': 'Tier', 'creators.col.creators': 'Creators', 'creators.col.creator': 'Creator', 'creators.col.platform': 'Platform',
    'creators.col.followers': 'Followers', 'creators.col.collaborations': 'Collaborations', 'creators.col.reach': 'Reach', 'creators.col.clicks': 'Clicks',
    'creators.col.ctr': 'CTR', 'creators.col.orders': 'Orders', 'creators.col.gmv': 'GMV', 'creators.col.new_buyers': 'New buyers',
    'creators.col.fee': 'Fee', 'creators.col.commission': 'Commission', 'creators.col.cost': 'Cost', 'creators.col.roi': 'ROI', 'creators.col.cpa': 'CPA',
    'creators.col.collab': 'Collaboration', 'creators.col.title': 'Content', 'creators.col.rate': 'Rate', 'creators.col.fee_due': 'Fee due',
    'creators.col.attributed_gmv': 'Attributed GMV', 'creators.col.reversed': 'Reversed on refunds', 'creators.col.total': 'Total due',
    'creators.payouts': 'Payout {month}', 'creators.payoutTotal': '{month}: fees {fee} + commission {commission} − reversed {reversed} = due {total} (the lines sum to the total)',
    'creators.empty': 'No creators yet', 'creators.payoutsEmpty': 'Nothing due this month',
    'creators.rule': 'Commission = rate × attributed GMV, rounded half up to the fen per collaboration; reversed = rate × the refunds on those orders; ROI = GMV ÷ (fee + commission), CPA = (fee + commission) ÷ orders.',
  },
};

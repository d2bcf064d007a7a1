// Channel matrix: every channel under the lifecycle stage it serves (认知 → 兴趣 → 决策 → 复购 → 忠诚) for the shared range, each stage
// with its totals, budget share against GMV share and new customers against repurchases (GET /v1/grow/matrix); below, where the
// next yuan goes: each paid channel's marginal ROI over the last 12 full weeks with its 95% interval and verdict, and a weekly
// budget spread to equalise marginal ROI (GET /v1/grow/next-yuan?budget=<fen>). The API gives money in fen; the page shows yuan.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { range, ensureRange, rangeControls, loading } from './range.js';

const yuan = (fen) => (fen === null || fen === undefined ? null : fen / 100);

export const MATRIX_COLUMNS = [
  ['name', 'text'],
  ['impressions', 'count'], ['ctr', 'percent'], ['uv', 'count'], ['orders', 'count'], ['cvr', 'percent'],
  ['gmv', 'money'], ['spend', 'money'], ['roi', 'ratio'], ['cac', 'money'],
  ['new_customers', 'count'], ['repurchase_orders', 'count'], ['budget_share', 'percent'], ['gmv_share', 'percent'],
];

export const ADVICE_COLUMNS = [
  ['channel', 'text'], ['verdict', 'text'], ['current_spend', 'money'], ['suggested_spend', 'money'], ['marginal_roi', 'ratio'],
  ['marginal_roi_low', 'ratio'], ['marginal_roi_high', 'ratio'], ['b', 'ratio'], ['weeks_with_spend', 'count'], ['reason', 'text'],
];

/** One table row of a stage's totals or a channel, money in yuan. */
function matrixRow(item, kind, name) {
  return {
    key: kind === 'stage' ? `stage:${item.stage}` : kind === 'total' ? 'total' : `channel:${item.channel}`, kind, stage: item.stage, name,
    impressions: item.impressions, ctr: item.ctr, uv: item.uv, orders: item.orders, cvr: item.cvr,
    gmv: yuan(item.gmv_fen), spend: yuan(item.spend_fen), roi: item.roi, cac: yuan(item.cac_fen),
    new_customers: item.new_customers, repurchase_orders: item.repurchase_orders, budget_share: item.budget_share, gmv_share: item.gmv_share,
  };
}

/** The matrix as rows: each stage's totals, then its channels (largest GMV first), in lifecycle order. */
export function matrixRows(report) {
  const rows = [];
  for (const stage of report.stages) {
    rows.push(matrixRow(stage, 'stage', t('matrix.stage.' + stage.stage)));
    for (const channel of stage.channels) rows.push(matrixRow(channel, 'channel', channel.channel));
  }
  rows.push(matrixRow({ ...report.total, stage: 'total', budget_share: report.total.spend_fen > 0 ? 1 : null, gmv_share: report.total.gmv_fen > 0 ? 1 : null },
    'total', t('matrix.total')));
  return rows;
}

export function adviceRows(advice) {
  return advice.channels.map((c) => ({
    channel: c.channel, verdict: t('matrix.verdict.' + c.verdict), verdict_code: c.verdict,
    current_spend: yuan(c.current_spend_fen), suggested_spend: yuan(c.suggested_spend_fen),
    marginal_roi: c.marginal_roi, marginal_roi_low: c.marginal_roi_low, marginal_roi_high: c.marginal_roi_high,
    b: c.fit ? c.fit.b : null, weeks_with_spend: c.weeks_with_spend, reason: c.reason,
  }));
}

// The weekly budget the user typed (yuan), kept across re-renders; null = what the channels spend now.
const state = { budget: null };

export async function render(main) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('matrix.title') }), status.node);
  try {
    await ensureRange();
    const report = await api.get(`/v1/grow/matrix?${new URLSearchParams({ from: range.from, to: range.to })}`);
    const holder = dataTable({
      id: 'matrix-table',
      caption: t('matrix.caption'),
      exportName: `channel-matrix-${report.from}-${report.to}`,
      columns: MATRIX_COLUMNS.map(([key, kind]) => ({ key, kind, label: t('matrix.col.' + key), header: key === 'name',
        cellClass: key === 'budget_share' ? shareClass : undefined })),
      rows: matrixRows(report),
      rowKey: (row) => row.key,
      empty: t('table.empty'),
    });
    // Stage and total rows are set off from the channels beneath them.
    for (const tr of holder.querySelectorAll('tbody tr[data-key^="stage:"]')) tr.classList.add('matrix-stage');
    holder.querySelector('tbody tr[data-key="total"]')?.classList.add('matrix-total');
    const advice = el('section', { id: 'next-yuan', class: 'panel', 'aria-labelledby': 'next-yuan-title' },
      el('h2', { id: 'next-yuan-title', text: t('matrix.next.title') }));
    main.replaceChildren(
      el('h1', { text: t('matrix.title') }),
      rangeControls(() => render(main)),
      el('p', { id: 'range-note', class: 'note', 'data-from': report.from, 'data-to': report.to },
        t('matrix.note', { from: report.from, to: report.to, tz: report.time_zone ?? '' })),
      holder,
      advice);
    await renderAdvice(advice);
  } catch (e) {
    status.fail(e);
  }
}

/** Budget share above GMV share is marked: the stage or channel takes more of the budget than it brings of the GMV. */
function shareClass(row) {
  if (row.budget_share === null || row.gmv_share === null || row.kind === 'total') return '';
  return row.budget_share > row.gmv_share ? 'share-over' : 'share-under';
}

async function renderAdvice(section) {
  const title = section.firstChild;
  const status = loading();
  section.replaceChildren(title, status.node);
  const query = new URLSearchParams();
  if (state.budget !== null) query.set('budget', String(Math.round(state.budget * 100)));
  let advice;
  try {
    advice = await api.get(`/v1/grow/next-yuan?${query}`);
  } catch (e) {
    status.fail(e);
    section.append(budgetForm(section, null));
    return;
  }
  const summary = el('p', { id: 'next-yuan-summary', class: 'note', 'data-budget-fen': advice.budget_fen, 'data-change-fen': advice.expected_gmv_change_fen },
    t('matrix.next.summary', {
      weeks: advice.weeks, from: advice.from, to: advice.to, model: t('matrix.model.' + advice.attribution_model),
      budget: format.money(yuan(advice.budget_fen)), now: format.money(yuan(advice.current_total_spend_fen)),
      suggested: format.money(yuan(advice.suggested_total_spend_fen)), unallocated: format.money(yuan(advice.unallocated_fen)),
      change: format.money(yuan(advice.expected_gmv_change_fen)), level: format.ratio(advice.equalised_marginal_roi),
    }));
  const table = dataTable({
    id: 'next-yuan-table',
    caption: t('matrix.next.caption'),
    exportName: `next-yuan-${advice.from}-${advice.to}`,
    columns: ADVICE_COLUMNS.map(([key, kind]) => ({ key, kind, label: t('matrix.next.col.' + key), header: key === 'channel',
      cellClass: key === 'verdict' ? (row) => 'verdict-cell verdict-' + row.verdict_code : undefined })),
    rows: adviceRows(advice),
    rowKey: (row) => row.channel,
    empty: t('matrix.next.empty'),
  });
  section.replaceChildren(title, budgetForm(section, advice), summary, table,
    ...advice.notes.map((note) => el('p', { class: 'note', text: note })),
    el('p', { class: 'note', text: t('matrix.next.method') }));
}

function budgetForm(section, advice) {
  const input = el('input', { id: 'next-yuan-budget', name: 'budget', type: 'number', min: '0', step: '0.01', inputmode: 'decimal',
    value: state.budget ?? (advice ? String(yuan(advice.budget_fen)) : '') });
  const form = el('form', { id: 'next-yuan-form', class: 'range' },
    el('label', { for: 'next-yuan-budget', text: t('matrix.next.budget') }), input,
    el('button', { type: 'submit', id: 'next-yuan-apply', text: t('matrix.next.apply') }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.budget = input.value === '' ? null : Number(input.value);
    renderAdvice(section);
  });
  return form;
}

export const strings = {
  zh: {
    'matrix.title': '渠道矩阵',
    'matrix.caption': '生命周期阶段 × 渠道（阶段行为合计；预算占比高于 GMV 占比时标红）',
    'matrix.note': '{from} 至 {to}（{tz}）。渠道所服务的阶段可在 /v1/grow/stages 或 `flywheel channels stages set` 中调整；UV 与买家在阶段内去重。',
    'matrix.total': '合计',
    'matrix.stage.awareness': '认知', 'matrix.stage.interest': '兴趣', 'matrix.stage.decision': '决策', 'matrix.stage.repurchase': '复购', 'matrix.stage.loyalty': '忠诚',
    'matrix.col.name': '阶段 / 渠道', 'matrix.col.impressions': '曝光', 'matrix.col.ctr': '点击率', 'matrix.col.uv': 'UV', 'matrix.col.orders': '订单',
    'matrix.col.cvr': '转化率', 'matrix.col.gmv': 'GMV', 'matrix.col.spend': '投放花费', 'matrix.col.roi': 'ROI', 'matrix.col.cac': 'CAC',
    'matrix.col.new_customers': '新客', 'matrix.col.repurchase_orders': '复购订单', 'matrix.col.budget_share': '预算占比', 'matrix.col.gmv_share': 'GMV 占比',
    'matrix.next.title': '下一元钱投向哪里',
    'matrix.next.caption': '各付费渠道的边际 ROI 与建议（按每周）',
    'matrix.next.empty': '最近几周没有渠道有投放花费。',
    'matrix.next.budget': '每周预算（元）', 'matrix.next.apply': '重新分配',
    'matrix.next.summary': '最近 {weeks} 个完整周（{from} 至 {to}），GMV 按{model}归因。每周预算 {budget}（当前花费 {now}），建议合计 {suggested}，未分配 {unallocated}；按拟合曲线预计每周 GMV 变化 {change}；均衡后的边际 ROI {level}。',
    'matrix.next.method': '方法：每个渠道拟合 GMV = a·花费^b（对数最小二乘），边际 ROI = b·GMV/花费，给出 95% 区间；数据不足、花费几乎不变、拟合差或 b 不在 (0, 1] 时判为“数据不足以判断”并保持当前花费；其余渠道按边际 ROI 均衡分配预算，单个渠道不超过其最高周花费的 1.5 倍。',
    'matrix.next.col.channel': '渠道', 'matrix.next.col.verdict': '建议', 'matrix.next.col.current_spend': '当前周花费', 'matrix.next.col.suggested_spend': '建议周花费',
    'matrix.next.col.marginal_roi': '边际 ROI', 'matrix.next.col.marginal_roi_low': '95% 下限', 'matrix.next.col.marginal_roi_high': '95% 上限',
    'matrix.next.col.b': '弹性 b', 'matrix.next.col.weeks_with_spend': '有花费的周数', 'matrix.next.col.reason': '依据',
    'matrix.verdict.add': '加投', 'matrix.verdict.hold': '维持', 'matrix.verdict.cut': '减投', 'matrix.verdict.cannot_tell': '数据不足以判断',
    'matrix.model.time_decay': '时间衰减', 'matrix.model.position_based': '位置', 'matrix.model.last_click': '末次点击', 'matrix.model.first_click': '首次点击',
    'matrix.model.linear': '线性', 'matrix.model.markov': '马尔可夫',
  },
  en: {
    'matrix.title': 'Channel matrix',
    'matrix.caption': 'Lifecycle stage × channel (stage rows are totals; budget share above GMV share is marked red)',
    'matrix.note': '{from} to {to} ({tz}). The stage a channel serves is set at /v1/grow/stages or with `flywheel channels stages set`; UV and buyers are distinct within a stage.',
    'matrix.total': 'Total',
    'matrix.stage.awareness': 'Awareness', 'matrix.stage.interest': 'Interest', 'matrix.stage.decision': 'Decision', 'matrix.stage.repurchase': 'Repurchase', 'matrix.stage.loyalty': 'Loyalty',
    'matrix.col.name': 'Stage / channel', 'matrix.col.impressions': 'Impressions', 'matrix.col.ctr': 'CTR', 'matrix.col.uv': 'UV', 'matrix.col.orders': 'Orders',
    'matrix.col.cvr': 'CVR', 'matrix.col.gmv': 'GMV', 'matrix.col.spend': 'Ad spend', 'matrix.col.roi': 'ROI', 'matrix.col.cac': 'CAC',
    'matrix.col.new_customers': 'New customers', 'matrix.col.repurchase_orders': 'Repurchase orders', 'matrix.col.budget_share': 'Budget share', 'matrix.col.gmv_share': 'GMV share',
    'matrix.next.title': 'Where the next yuan goes',
    'matrix.next.caption': 'Marginal ROI and advice per paid channel (per week)',
    'matrix.next.empty': 'No channel had ad spend in the recent weeks.',
    'matrix.next.budget': 'Weekly budget (yuan)', 'matrix.next.apply': 'Reallocate',
    'matrix.next.summary': 'Last {weeks} full weeks ({from} to {to}), GMV by {model} attribution. Weekly budget {budget} (spent now {now}); suggested {suggested} in all, {unallocated} unallocated; the fitted curves expect a weekly GMV change of {change}; equalised marginal ROI {level}.',
    'matrix.next.method': 'Method: per channel GMV = a·spend^b (least squares on logs), marginal ROI = b·GMV/spend with a 95% interval; with too few weeks, spend that hardly varied, a poor fit or b outside (0, 1] the data cannot tell and the channel keeps its spend; the budget is spread over the others to equalise marginal ROI, never above 1.5× a channel\'s largest week.',
    'matrix.next.col.channel': 'Channel', 'matrix.next.col.verdict': 'Verdict', 'matrix.next.col.current_spend': 'Weekly spend now', 'matrix.next.col.suggested_spend': 'Suggested weekly spend',
    'matrix.next.col.marginal_roi': 'Marginal ROI', 'matrix.next.col.marginal_roi_low': '95% low', 'matrix.next.col.marginal_roi_high': '95% high',
    'matrix.next.col.b': 'Elasticity b', 'matrix.next.col.weeks_with_spend': 'Weeks with spend', 'matrix.next.col.reason': 'Why',
    'matrix.verdict.add': 'Add', 'matrix.verdict.hold': 'Hold', 'matrix.verdict.cut': 'Cut', 'matrix.verdict.cannot_tell': 'The data cannot tell',
    'matrix.model.time_decay': 'time-decay', 'matrix.model.position_based': 'position-based', 'matrix.model.last_click': 'last-click', 'matrix.model.first_click': 'first-click',
    'matrix.model.linear': 'linear', 'matrix.model.markov': 'Markov',
  },
};

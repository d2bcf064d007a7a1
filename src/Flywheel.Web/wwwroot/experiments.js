// Experiments (Learn): the list (GET /v1/experiments) and, per experiment (#/experiments/KEY), its results
// (GET /v1/experiments/{key}/results): the variants with their exposure against the split they should have (the sample-ratio
// mismatch warning when they do not), each metric per variant with its interval as a chart, the p-values (Holm-adjusted when
// there are several variants), the Bayesian chance to win, the sequential test's always-valid verdict and the day it became
// valid, and against a holdout the incremental orders and GMV with GMV per yuan of discount. Money from the API is in fen.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { loading } from './range.js';
import { intervalChart, lineChart, preloadCharts } from './charts.js';

const listSort = { column: 'started_at', direction: 'descending' };
const shanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const localTime = (iso) => (iso ? shanghai.format(new Date(iso)) : null);
const yuan = (fen) => (fen === null || fen === undefined ? null : fen / 100);

/** The experiment in the hash: #/experiments/KEY, or null for the list. */
function selected() {
  const rest = location.hash.replace(/^#\/?experiments\/?/, '').split('?')[0];
  return rest ? decodeURIComponent(rest) : null;
}

export async function render(main) {
  const key = selected();
  const status = loading();
  main.replaceChildren(el('h1', { text: t('experiments.title') }), status.node);
  try {
    if (key) {
      preloadCharts();
      const results = await api.get(`/v1/experiments/${encodeURIComponent(key)}/results`);
      main.replaceChildren(...detail(results));
      drawCharts(main, results);
    } else {
      const list = await api.get('/v1/experiments');
      main.replaceChildren(el('h1', { text: t('experiments.title') }), el('p', { class: 'note', text: t('experiments.intro') }), listTable(list));
    }
  } catch (e) {
    status.fail(e);
  }
}

function listTable(list) {
  const rows = list.map((x) => ({
    key: x.key, name: x.name, status: t('experiments.status.' + x.status), unit: t('experiments.unit.' + x.unit),
    variants: x.variants.map((v) => v.key).join(' / '), exposures: x.variants.reduce((s, v) => s + (v.exposures ?? 0), 0),
    started_at: localTime(x.started_at), stopped_at: localTime(x.stopped_at),
  }));
  const columns = [['key', 'text'], ['name', 'text'], ['status', 'text'], ['unit', 'text'], ['variants', 'text'], ['exposures', 'count'],
    ['started_at', 'text'], ['stopped_at', 'text']];
  return dataTable({
    id: 'experiments-table', caption: t('experiments.caption'), exportName: 'experiments', sort: listSort, rowKey: (row) => row.key,
    empty: t('experiments.empty'),
    columns: columns.map(([key, kind]) => ({ key, kind, label: t('experiments.col.' + key), header: key === 'name',
      href: key === 'name' ? (row) => `#/experiments/${encodeURIComponent(row.key)}` : undefined })),
    rows,
  });
}

/** A metric's value as the page shows it: rates as percentages, fen as yuan, counts per unit with three decimals. */
function metricValue(metric, value) {
  if (value === null || value === undefined) return format.EMPTY;
  if (metric.format === 'percent') return format.percent(value);
  if (metric.format === 'money') return format.money(value / 100);
  return value.toFixed(3);
}

const pValue = (p) => (p === null || p === undefined ? format.EMPTY : p < 0.0001 ? '<0.0001' : p.toFixed(4));
const label = (metric) => (document.documentElement.lang === 'en' ? metric.label_en : metric.label_zh);

function detail(r) {
  const parts = [
    el('p', { class: 'note' }, el('a', { href: '#/experiments', text: t('experiments.back') })),
    el('h1', { text: `${r.name} (${r.key})` }),
    el('p', { id: 'experiment-summary', class: 'note', 'data-status': r.status },
      t('experiments.summary', {
        status: t('experiments.status.' + r.status), unit: t('experiments.unit.' + r.unit), window: r.window_days,
        confidence: format.percent(r.confidence), from: localTime(r.started_at) ?? format.EMPTY, to: r.as_of,
      })),
  ];
  if (r.hypothesis) parts.push(el('p', { class: 'hypothesis', text: t('experiments.hypothesis', { text: r.hypothesis }) }));
  if (r.srm.warning) {
    parts.push(el('p', { id: 'srm-warning', class: 'warning', role: 'alert', 'data-p': String(r.srm.p_value) },
      t('experiments.srm.warning', { p: pValue(r.srm.p_value) })));
  }
  parts.push(variantsTable(r));
  for (const metric of r.metrics) parts.push(metricPanel(r, metric));
  if (r.impact?.length) parts.push(impactTable(r));
  parts.push(el('details', { class: 'rules' }, el('summary', { text: t('experiments.rules') }), el('p', { id: 'experiment-rules', text: t('experiments.rules.text') })));
  return parts;
}

function variantsTable(r) {
  const rows = r.variants.map((v) => ({ ...v, role: v.key === r.control ? t(v.holdout ? 'experiments.role.holdout' : 'experiments.role.control') : (v.holdout ? t('experiments.role.holdout') : '') }));
  const columns = [['key', 'text'], ['name', 'text'], ['role', 'text'], ['weight', 'count'], ['expected_share', 'percent'], ['units', 'count'], ['share', 'percent']];
  return el('section', { class: 'panel experiment', 'aria-labelledby': 'variants-title' },
    el('h2', { id: 'variants-title', text: t('experiments.variants') }),
    el('p', { class: 'note', id: 'srm-note', text: t('experiments.srm.note', { p: pValue(r.srm.p_value) }) }),
    dataTable({ id: 'variants-table', caption: t('experiments.variants'), exportName: `experiment-${r.key}-variants`, rowKey: (row) => row.key,
      columns: columns.map(([key, kind]) => ({ key, kind, label: t('experiments.col.' + key), header: key === 'key' })), rows,
      sort: { column: 'key', direction: 'ascending' } }));
}

function metricPanel(r, metric) {
  const id = `metric-${metric.name}`;
  const arms = new Map(metric.arms.map((a) => [a.variant, a]));
  const rows = metric.results.map((x) => ({
    variant: x.variant,
    value: metricValue(metric, arms.get(x.variant)?.value),
    absolute: x.absolute.effect === null ? format.EMPTY
      : `${metricValue(metric, x.absolute.effect)} [${metricValue(metric, x.absolute.ci_low)}, ${metricValue(metric, x.absolute.ci_high)}]`,
    relative: x.relative && x.relative.effect !== null ? `${format.change(x.relative.effect) ?? '0.0%'} [${format.change(x.relative.ci_low) ?? '0.0%'}, ${format.change(x.relative.ci_high) ?? '0.0%'}]` : format.EMPTY,
    p_value: pValue(x.absolute.p_value),
    adjusted_p_value: pValue(x.adjusted_p_value),
    chance_to_win: x.bayesian ? format.percent(x.bayesian.chance_to_win) : format.EMPTY,
    sequential: x.sequential.significant ? t('experiments.valid_since', { date: x.sequential.valid_since })
      : x.sequential.p_value === null ? t('experiments.no_look') : t('experiments.not_yet', { p: pValue(x.sequential.p_value) }),
    verdict: t('experiments.verdict.' + x.verdict),
    verdict_key: x.verdict,
  }));
  const columns = [['variant', 'text'], ['value', 'text'], ['absolute', 'text'], ['relative', 'text'], ['p_value', 'text'], ['adjusted_p_value', 'text'],
    ['chance_to_win', 'text'], ['sequential', 'text'], ['verdict', 'text']];
  const control = arms.get(r.control);
  return el('section', { class: 'panel experiment metric', id, 'data-metric': metric.name, 'data-role': metric.role, 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title`, text: `${label(metric)} · ${t('experiments.role.' + metric.role)}` }),
    el('p', { class: 'note', text: t('experiments.metric.note', { control: r.control, value: metricValue(metric, control?.value), units: format.count(control?.units) })
      + (metric.higher_is_better ? '' : ' ' + t('experiments.lower_better')) }),
    el('div', { class: 'chart interval-chart', id: `${id}-chart` }),
    dataTable({ id: `${id}-table`, caption: label(metric), exportName: `experiment-${r.key}-${metric.name}`, rowKey: (row) => row.variant,
      columns: columns.map(([key, kind]) => ({ key, kind, label: t('experiments.col.' + key), header: key === 'variant',
        cellClass: key === 'verdict' ? (row) => `experiment-verdict experiment-verdict-${row.verdict_key}` : undefined })),
      rows, sort: { column: 'variant', direction: 'ascending' } }),
    metric.looks?.length ? el('div', { class: 'chart looks-chart', id: `${id}-looks` }) : null);
}

function impactTable(r) {
  const rows = r.impact.map((i) => ({
    variant: i.variant, treated_units: i.treated_units,
    orders: `${format.count(i.orders.effect)} [${format.count(i.orders.low)}, ${format.count(i.orders.high)}]`,
    gmv: `${format.money(yuan(i.gmv.effect))} [${format.money(yuan(i.gmv.low))}, ${format.money(yuan(i.gmv.high))}]`,
    incremental_discount: yuan(i.incremental_discount),
    per_yuan: i.gmv_per_yuan === null ? (i.reason ?? format.EMPTY) : `${format.ratio(i.gmv_per_yuan)} [${format.ratio(i.gmv_per_yuan_low)}, ${format.ratio(i.gmv_per_yuan_high)}]`,
  }));
  const columns = [['variant', 'text'], ['treated_units', 'count'], ['orders', 'text'], ['gmv', 'text'], ['incremental_discount', 'money'], ['per_yuan', 'text']];
  return el('section', { class: 'panel experiment', 'aria-labelledby': 'impact-title' },
    el('h2', { id: 'impact-title', text: t('experiments.impact') }),
    el('p', { class: 'note', text: t('experiments.impact.note', { holdout: r.holdout_variant }) }),
    dataTable({ id: 'impact-table', caption: t('experiments.impact'), exportName: `experiment-${r.key}-impact`, rowKey: (row) => row.variant,
      columns: columns.map(([key, kind]) => ({ key, kind, label: t('experiments.col.' + key), header: key === 'variant' })), rows,
      sort: { column: 'variant', direction: 'ascending' } }));
}

/** Each metric's relative lift with its interval (absolute when the control's value is zero); the primary metric's p over the days. */
function drawCharts(main, r) {
  for (const metric of r.metrics) {
    const box = main.querySelector(`#metric-${metric.name}-chart`);
    const relative = metric.results.every((x) => x.relative);
    const rows = metric.results.map((x) => {
      const s = relative ? x.relative : x.absolute;
      return { name: x.variant, effect: s.effect, low: s.ci_low, high: s.ci_high };
    });
    intervalChart(box, { rows, kind: relative ? 'percent' : (metric.format === 'percent' ? 'percent' : 'ratio'),
      label: t(relative ? 'experiments.chart.relative' : 'experiments.chart.absolute', { metric: label(metric) }) });
    const looks = main.querySelector(`#metric-${metric.name}-looks`);
    if (looks) {
      const variants = metric.results.map((x) => x.variant);
      lineChart(looks, {
        x: metric.looks.map((l) => l.date),
        series: variants.map((v) => ({ name: t('experiments.looks.series', { variant: v }), values: metric.looks.map((l) => l.p_values[v] ?? null) })),
        kind: 'ratio', label: t('experiments.looks.label', { metric: label(metric) }),
        mark: { value: 1 - r.confidence, name: 'α' },
      });
    }
  }
}

export const strings = {
  zh: {
    'experiments.title': 'A/B 实验',
    'experiments.intro': '按实验盐值与用户 ID 哈希分组，同一用户始终看到同一版本；每个用户首次曝光只记一次。',
    'experiments.caption': '实验列表', 'experiments.empty': '还没有实验', 'experiments.back': '← 全部实验',
    'experiments.col.key': '实验键', 'experiments.col.name': '名称', 'experiments.col.status': '状态', 'experiments.col.unit': '分组单位',
    'experiments.col.variants': '版本', 'experiments.col.exposures': '曝光人数', 'experiments.col.started_at': '开始', 'experiments.col.stopped_at': '结束',
    'experiments.col.role': '角色', 'experiments.col.weight': '权重', 'experiments.col.expected_share': '应占比例', 'experiments.col.units': '曝光人数',
    'experiments.col.share': '实际比例', 'experiments.col.variant': '版本', 'experiments.col.value': '指标值', 'experiments.col.absolute': '绝对差 [区间]',
    'experiments.col.relative': '相对提升 [区间]', 'experiments.col.p_value': 'p 值', 'experiments.col.adjusted_p_value': '校正后 p 值',
    'experiments.col.chance_to_win': '胜出概率', 'experiments.col.sequential': '序贯检验', 'experiments.col.verdict': '结论',
    'experiments.col.treated_units': '实验组人数', 'experiments.col.orders': '增量订单 [区间]', 'experiments.col.gmv': '增量成交额 [区间]',
    'experiments.col.incremental_discount': '额外优惠', 'experiments.col.per_yuan': '每元优惠带来的增量成交额',
    'experiments.status.draft': '草稿', 'experiments.status.running': '进行中', 'experiments.status.stopped': '已结束',
    'experiments.unit.customer': '客户', 'experiments.unit.anonymous': '匿名访客',
    'experiments.summary': '{status} · 分组单位：{unit} · 曝光后 {window} 天窗口 · 置信水平 {confidence} · 自 {from} 至 {to}',
    'experiments.hypothesis': '假设：{text}',
    'experiments.srm.warning': '样本比例失衡（SRM）：各版本曝光人数与设定比例不符（卡方检验 p = {p}），分流可能有问题，结果不可信。',
    'experiments.srm.note': '样本比例检验（卡方拟合优度）p = {p}；p < 0.001 时提示分流异常。',
    'experiments.variants': '版本与曝光', 'experiments.role.control': '对照', 'experiments.role.holdout': '对照组（不触达）',
    'experiments.role.primary': '主要指标', 'experiments.role.secondary': '次要指标', 'experiments.role.guardrail': '护栏指标',
    'experiments.metric.note': '对照 {control}：{value}（{units} 人）。', 'experiments.lower_better': '该指标越低越好。',
    'experiments.valid_since': '{date} 起显著', 'experiments.not_yet': '尚未显著（p = {p}）', 'experiments.no_look': '样本不足，尚未开始检验',
    'experiments.verdict.better': '更好', 'experiments.verdict.worse': '更差', 'experiments.verdict.inconclusive': '尚无定论',
    'experiments.impact': '相对对照组的增量', 'experiments.impact.note': '与对照组 {holdout}（不触达）相比，按实验组人数折算的增量订单与成交额（95% 区间）。',
    'experiments.chart.relative': '{metric}：各版本相对对照的提升及置信区间', 'experiments.chart.absolute': '{metric}：各版本与对照的绝对差及置信区间',
    'experiments.looks.series': '{variant} 始终有效 p 值', 'experiments.looks.label': '{metric}：每日查看的始终有效 p 值（低于 α 即显著）',
    'experiments.rules': '统计口径',
    'experiments.rules.text': '频率学派：二项指标用两比例 z 检验，均值指标用 Welch t 检验，比率指标用 delta 方法；相对提升的区间用 delta 方法。多个版本时 p 值用 Holm 校正。贝叶斯：二项用 Beta(1,1) 先验，均值用正态近似，给出胜出概率与期望损失。序贯检验用 mSPRT（正态混合）的始终有效 p 值，每天查看也不会抬高误报率。CUPED 用曝光前同长度窗口的同一指标作协变量。',
  },
  en: {
    'experiments.title': 'Experiments',
    'experiments.intro': 'Units are assigned by a hash of the experiment salt and the unit id, so a unit always sees the same variant; each unit\'s first exposure is recorded once.',
    'experiments.caption': 'Experiments', 'experiments.empty': 'No experiments yet', 'experiments.back': '← All experiments',
    'experiments.col.key': 'Key', 'experiments.col.name': 'Name', 'experiments.col.status': 'Status', 'experiments.col.unit': 'Unit',
    'experiments.col.variants': 'Variants', 'experiments.col.exposures': 'Exposed units', 'experiments.col.started_at': 'Started', 'experiments.col.stopped_at': 'Stopped',
    'experiments.col.role': 'Role', 'experiments.col.weight': 'Weight', 'experiments.col.expected_share': 'Expected share', 'experiments.col.units': 'Exposed units',
    'experiments.col.share': 'Actual share', 'experiments.col.variant': 'Variant', 'experiments.col.value': 'Value', 'experiments.col.absolute': 'Absolute [interval]',
    'experiments.col.relative': 'Relative lift [interval]', 'experiments.col.p_value': 'p-value', 'experiments.col.adjusted_p_value': 'Adjusted p',
    'experiments.col.chance_to_win': 'Chance to win', 'experiments.col.sequential': 'Sequential test', 'experiments.col.verdict': 'Verdict',
    'experiments.col.treated_units': 'Treated units', 'experiments.col.orders': 'Incremental orders [interval]', 'experiments.col.gmv': 'Incremental GMV [interval]',
    'experiments.col.incremental_discount': 'Extra discount', 'experiments.col.per_yuan': 'Incremental GMV per yuan of discount',
    'experiments.status.draft': 'Draft', 'experiments.status.running': 'Running', 'experiments.status.stopped': 'Stopped',
    'experiments.unit.customer': 'Customer', 'experiments.unit.anonymous': 'Anonymous visitor',
    'experiments.summary': '{status} · unit: {unit} · {window}-day window after exposure · confidence {confidence} · from {from} to {to}',
    'experiments.hypothesis': 'Hypothesis: {text}',
    'experiments.srm.warning': 'Sample ratio mismatch: exposure counts do not match the configured split (chi-square p = {p}); the assignment may be broken, so the results cannot be trusted.',
    'experiments.srm.note': 'Sample-ratio check (chi-square goodness of fit) p = {p}; below 0.001 it warns.',
    'experiments.variants': 'Variants and exposure', 'experiments.role.control': 'Control', 'experiments.role.holdout': 'Holdout (gets nothing)',
    'experiments.role.primary': 'Primary', 'experiments.role.secondary': 'Secondary', 'experiments.role.guardrail': 'Guardrail',
    'experiments.metric.note': 'Control {control}: {value} ({units} units).', 'experiments.lower_better': 'Lower is better for this metric.',
    'experiments.valid_since': 'significant since {date}', 'experiments.not_yet': 'not yet significant (p = {p})', 'experiments.no_look': 'too few units to test yet',
    'experiments.verdict.better': 'Better', 'experiments.verdict.worse': 'Worse', 'experiments.verdict.inconclusive': 'Inconclusive',
    'experiments.impact': 'Incremental over the holdout', 'experiments.impact.note': 'Against the holdout {holdout} (reached by nothing): incremental orders and GMV scaled to the treated units (95% intervals).',
    'experiments.chart.relative': '{metric}: each variant\'s relative lift over control with its interval', 'experiments.chart.absolute': '{metric}: each variant\'s absolute difference from control with its interval',
    'experiments.looks.series': '{variant} always-valid p', 'experiments.looks.label': '{metric}: the always-valid p-value at each daily look (significant below α)',
    'experiments.rules': 'How it is computed',
    'experiments.rules.text': 'Frequentist: a two-proportion z-test for binomial metrics, Welch\'s t-test for means, the delta method for ratio metrics and for the relative lift\'s interval; with several variants p-values are Holm-adjusted. Bayesian: Beta(1,1) priors for binomial metrics, a normal approximation for means, giving the chance to win and the expected loss. Sequential: mSPRT (normal mixture) always-valid p-values, so looking every day does not inflate false positives. CUPED uses the same metric over an equally long window before exposure as the covariate.',
  },
};

// Goals: every goal from GET /v1/goals?series=true with a progress bar, actual against target, the forecast at the deadline and
// the API's verdict; per goal a chart of the actual path, the forecast and the target (ECharts); a summary table to export.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { loading } from './range.js';
import { lineChart } from './charts.js';

// How each goal metric (docs/goals.md) is shown: the API gives money in yuan, rates as fractions, ROI as a ratio.
export const METRIC_KINDS = {
  gmv: 'money', aov: 'money', spend: 'money', orders: 'count', buyers: 'count', uv: 'count',
  cvr: 'percent', repurchase_rate: 'percent', roi: 'ratio',
};
export const VERDICTS = ['on_track', 'at_risk', 'off_track', 'unknown'];

const kind = (goal) => METRIC_KINDS[goal.metric] ?? 'count';
export const value = (goal, v) => format.show(kind(goal), v);
/** progress_pct is a percentage already (63.2 = 63.2%). */
export const progressText = (pct) => (pct === null || pct === undefined ? format.EMPTY : `${pct.toFixed(2)}%`);
const verdictOf = (goal) => (VERDICTS.includes(goal.status) ? goal.status : 'unknown');
const metricName = (goal) => t('goals.metric.' + goal.metric) + (goal.channel ? ` · ${goal.channel}` : '');

function figure(name, text, id) {
  return el('div', { class: 'goal-figure', 'data-figure': name },
    el('dt', { text: t('goals.figure.' + name) }),
    el('dd', { id, text }));
}

function card(goal) {
  const id = goal.id;
  const pct = goal.progress_pct;
  const verdict = verdictOf(goal);
  // The bar shows 0..100%; past the target it is full and the text says how far past.
  const bar = el('progress', { id: `goal-${id}-progress`, max: 100, value: pct === null ? false : Math.max(0, Math.min(100, pct)),
    'aria-labelledby': `goal-${id}-progress-label goal-${id}-name`, 'aria-valuetext': progressText(pct) });
  return el('article', { class: `goal goal-${verdict}`, 'data-goal': id, 'aria-labelledby': `goal-${id}-name` },
    el('header', { class: 'goal-head' },
      el('h2', { id: `goal-${id}-name`, text: goal.name }),
      el('span', { id: `goal-${id}-verdict`, class: `verdict verdict-${verdict}`, 'data-verdict': verdict, text: t('goals.verdict.' + verdict) })),
    el('p', { class: 'note', text: t('goals.period', { metric: metricName(goal), start: goal.start, deadline: goal.deadline, asof: goal.as_of, target: goal.target_text }) }),
    el('div', { class: 'goal-progress' },
      el('span', { id: `goal-${id}-progress-label`, text: t('goals.progress') }),
      bar,
      el('span', { id: `goal-${id}-progress-text`, class: 'goal-pct', text: progressText(pct) })),
    el('dl', { class: 'goal-figures' },
      figure('current', value(goal, goal.current), `goal-${id}-current`),
      figure('target', value(goal, goal.target), `goal-${id}-target`),
      figure('forecast', value(goal, goal.forecast), `goal-${id}-forecast`),
      figure('baseline', value(goal, goal.baseline), `goal-${id}-baseline`)),
    // The forecast chart (drawn after the card is on the page): cumulative actual by day, the forecast to the deadline, the target.
    el('div', { class: 'chart goal-chart', 'data-chart': 'goal-forecast', 'data-goal': id, 'data-metric': goal.metric,
      'data-target': goal.target === null ? false : String(goal.target), 'data-series': JSON.stringify(goal.series ?? { actual: [], forecast: [] }) }));
}

/** Draws a goal's chart: the actual path solid, the forecast dashed from the as-of day to the deadline, the target dotted. */
function drawChart(goal, container) {
  const series = goal.series ?? { actual: [], forecast: [] };
  const days = [...new Set([...series.actual.map((p) => p.day), ...series.forecast.map((p) => p.day)])].sort();
  const at = (points) => {
    const byDay = new Map(points.map((p) => [p.day, p.value]));
    return days.map((day) => (byDay.has(day) ? byDay.get(day) : null));
  };
  return lineChart(container, {
    x: days,
    series: [
      { name: t('goals.figure.current'), values: at(series.actual) },
      { name: t('goals.figure.forecast'), values: at(series.forecast), dashed: true },
    ],
    kind: kind(goal),
    mark: goal.target === null ? null : { value: goal.target, name: t('goals.figure.target') },
    label: t('goals.chart', { name: goal.name, start: goal.start, deadline: goal.deadline }),
  });
}

function summary(goals) {
  const text = (key) => (goal) => value(goal, goal[key]);
  return dataTable({
    id: 'goals-table',
    caption: t('goals.caption'),
    exportName: 'goals',
    columns: [
      { key: 'name', kind: 'text', label: t('goals.col.name'), header: true },
      { key: 'metric', kind: 'text', label: t('goals.col.metric'), value: metricName, text: metricName },
      { key: 'current', kind: 'count', label: t('goals.figure.current'), text: text('current') },
      { key: 'target', kind: 'count', label: t('goals.figure.target'), text: text('target') },
      { key: 'progress_pct', kind: 'count', label: t('goals.progress'), text: (g) => progressText(g.progress_pct) },
      { key: 'forecast', kind: 'count', label: t('goals.figure.forecast'), text: text('forecast') },
      { key: 'status', kind: 'text', label: t('goals.col.status'), value: (g) => t('goals.verdict.' + verdictOf(g)), text: (g) => t('goals.verdict.' + verdictOf(g)) },
      { key: 'deadline', kind: 'text', label: t('goals.col.deadline') },
    ],
    rows: goals,
    rowKey: (g) => g.id,
  });
}

export async function render(main) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('goals.title') }), status.node);
  try {
    const answer = await api.get('/v1/goals?series=true');
    const goals = answer.goals ?? [];
    main.replaceChildren(
      el('h1', { text: t('goals.title') }),
      el('p', { class: 'note', text: t('goals.note') }),
      goals.length
        ? el('div', { id: 'goals', class: 'goals' }, goals.map(card))
        : el('p', { id: 'goals-empty', class: 'note', text: t('goals.empty') }),
      goals.length ? summary(goals) : null);
    await Promise.all(goals.map((goal) => drawChart(goal, main.querySelector(`.goal-chart[data-goal="${goal.id}"]`))));
  } catch (e) {
    status.fail(e);
  }
}

export const strings = {
  zh: {
    'goals.title': '目标',
    'goals.note': '进度和预测按店铺时区的今天计算；预测按近 8 周的趋势和星期规律推算到截止日。',
    'goals.period': '{metric}，目标 {target}，{start} 至 {deadline}，截至 {asof}',
    'goals.progress': '完成进度', 'goals.chart': '{name}：{start} 至 {deadline} 的累计实际（实线）、预测（虚线）与目标（点线）',
    'goals.figure.current': '当前实际', 'goals.figure.target': '目标值', 'goals.figure.forecast': '截止日预测', 'goals.figure.baseline': '基线',
    'goals.verdict.on_track': '按计划推进', 'goals.verdict.at_risk': '有风险', 'goals.verdict.off_track': '偏离目标', 'goals.verdict.unknown': '无法判断',
    'goals.metric.gmv': '成交额 GMV', 'goals.metric.orders': '订单数', 'goals.metric.buyers': '买家数', 'goals.metric.uv': '访客数 UV',
    'goals.metric.cvr': '转化率', 'goals.metric.aov': '客单价', 'goals.metric.repurchase_rate': '复购率', 'goals.metric.spend': '推广花费',
    'goals.metric.roi': 'ROI',
    'goals.caption': '全部目标的进度与预测',
    'goals.col.name': '目标', 'goals.col.metric': '指标', 'goals.col.status': '判断', 'goals.col.deadline': '截止日',
    'goals.empty': '还没有目标。可以用命令行 flywheel goals add 或 POST /v1/goals 创建。',
  },
  en: {
    'goals.title': 'Goals',
    'goals.note': 'Progress and forecasts are as of today in the store\'s time zone; the forecast extends the last 8 weeks\' trend and weekday pattern to the deadline.',
    'goals.period': '{metric}, target {target}, {start} to {deadline}, as of {asof}',
    'goals.progress': 'Progress', 'goals.chart': '{name}: cumulative actual (solid), forecast (dashed) and target (dotted), {start} to {deadline}',
    'goals.figure.current': 'Actual', 'goals.figure.target': 'Target', 'goals.figure.forecast': 'Forecast at deadline', 'goals.figure.baseline': 'Baseline',
    'goals.verdict.on_track': 'On track', 'goals.verdict.at_risk': 'At risk', 'goals.verdict.off_track': 'Off track', 'goals.verdict.unknown': 'Unknown',
    'goals.metric.gmv': 'GMV', 'goals.metric.orders': 'Orders', 'goals.metric.buyers': 'Buyers', 'goals.metric.uv': 'Visitors (UV)',
    'goals.metric.cvr': 'Conversion rate', 'goals.metric.aov': 'Average order value', 'goals.metric.repurchase_rate': 'Repurchase rate',
    'goals.metric.spend': 'Ad spend', 'goals.metric.roi': 'ROI',
    'goals.caption': 'Every goal\'s progress and forecast',
    'goals.col.name': 'Goal', 'goals.col.metric': 'Metric', 'goals.col.status': 'Verdict', 'goals.col.deadline': 'Deadline',
    'goals.empty': 'No goals yet. Create one with flywheel goals add or POST /v1/goals.',
  },
};

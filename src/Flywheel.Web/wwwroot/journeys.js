// Journeys and broadcasts: the lists (GET /v1/journeys, GET /v1/broadcasts) with status; per journey or broadcast its results per
// variant and step with the lift against the holdout (GET /v1/journeys/{id}/stats, GET /v1/broadcasts/{id}/stats); and, with
// marketing:write, activating and pausing a journey (POST /v1/journeys/{id}/status). Revenue in the stats is in fen.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import * as format from './format.js';
import { dataTable } from './table.js';
import { loading } from './range.js';

const yuan = (fen) => (fen === null || fen === undefined ? null : fen / 100);
const journeySort = { column: 'name', direction: 'ascending' };
const broadcastSort = { column: 'created_at', direction: 'descending' };
const state = { message: null };

/** The selection in the hash: #/journeys?journey=ID or ?broadcast=ID. */
function selection() {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  if (query.get('journey')) return { kind: 'journey', id: query.get('journey') };
  if (query.get('broadcast')) return { kind: 'broadcast', id: query.get('broadcast') };
  return null;
}

// Times in China time (the demo's and most stores' zone), minutes precision.
const shanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const localTime = (iso) => (iso ? shanghai.format(new Date(iso)) : null);
const statusText = (s) => t('journeys.status.' + s);

function triggerText(definition) {
  const tr = definition?.trigger;
  if (!tr) return null;
  if (tr.type === 'event') return t('journeys.trigger.event', { event: tr.event });
  if (tr.type === 'lifecycle') return t('journeys.trigger.lifecycle', { to: tr.to });
  return [tr.type, tr.segment ?? tr.event ?? tr.to].filter(Boolean).join(': ');
}

export function journeyRows(list) {
  return list.map((j) => ({ id: j.journey_id, name: j.name, status: statusText(j.status), trigger: triggerText(j.definition),
    version: j.version, updated_at: localTime(j.updated_at) }));
}

export function broadcastRows(list) {
  return list.map((b) => {
    let definition = {};
    try {
      definition = JSON.parse(b.definition_json ?? '{}');
    } catch {
      // A definition the page cannot read still lists with its name and status.
    }
    return { id: b.broadcast_id, name: b.name, status: statusText(b.status), segment: b.segment, channel: definition.channel ?? null,
      send_at: definition.send_at ? localTime(definition.send_at) : definition.local_time ?? null,
      planned: b.planned, enqueued: b.enqueued, held_out: b.held_out, created_at: localTime(b.created_at) };
  });
}

function listTable(id, rows, columns, sort, kind) {
  return dataTable({
    id, caption: t(`journeys.${kind}.caption`), exportName: id, sort, rowKey: (row) => row.id, empty: t(`journeys.${kind}.empty`),
    columns: columns.map(([key, type]) => ({ key, kind: type, label: t(`journeys.col.${key}`), header: key === 'name',
      href: key === 'name' ? (row) => `#/journeys?${kind}=${encodeURIComponent(row.id)}` : undefined })),
    rows,
  });
}

function statsTables(kind, report) {
  const variants = dataTable({ id: 'stats-variants', caption: t('journeys.stats.variants', { days: Math.round(report.attribution_window_days) }),
    exportName: `${kind}-${report.source_id}-variants`, rowKey: (r) => r.variant,
    columns: [['variant', 'text'], ['holdout', 'text'], ['entered', 'count'], ['converted', 'count'], ['conversion_rate', 'percent'], ['revenue', 'money']]
      .map(([key, type]) => ({ key, kind: type, label: t('journeys.stats.col.' + key), header: key === 'variant' })),
    rows: report.variants.map((v) => ({ ...v, holdout: v.holdout ? t('journeys.yes') : t('journeys.no'), revenue: yuan(v.revenue) })),
    empty: t('journeys.stats.novariants') });
  const steps = dataTable({ id: 'stats-steps', caption: t('journeys.stats.steps'), exportName: `${kind}-${report.source_id}-steps`,
    rowKey: (r) => `${r.step_id}/${r.variant ?? ''}`,
    columns: [['step_id', 'text'], ['variant', 'text'], ['sent', 'count'], ['delivered', 'count'], ['failed', 'count'], ['held_out', 'count'], ['opened', 'count'],
      ['clicked', 'count'], ['converted', 'count'], ['revenue', 'money'], ['unsubscribed', 'count']]
      .map(([key, type]) => ({ key, kind: type, label: t('journeys.stats.col.' + key), header: key === 'step_id' })),
    rows: report.steps.map((s) => ({ ...s, revenue: yuan(s.revenue) })), empty: t('journeys.stats.nosteps') });
  const lifts = dataTable({ id: 'stats-lift', caption: t('journeys.stats.lift'), exportName: `${kind}-${report.source_id}-lift`, rowKey: (r) => r.variant,
    columns: [
      { key: 'variant', kind: 'text', label: t('journeys.stats.col.variant'), header: true },
      { key: 'difference', kind: 'text', label: t('journeys.stats.col.difference'), value: (r) => r.difference_points,
        text: (r) => t('journeys.points', { n: r.difference_points.toFixed(2) }) },
      { key: 'interval', kind: 'text', label: t('journeys.stats.col.interval'), value: (r) => `${r.low_points.toFixed(2)}..${r.high_points.toFixed(2)}`,
        text: (r) => t('journeys.interval', { low: r.low_points.toFixed(2), high: r.high_points.toFixed(2) }) },
      { key: 'relative', kind: 'text', label: t('journeys.stats.col.relative'), value: (r) => r.relative_percent,
        text: (r) => (r.relative_percent === null || r.relative_percent === undefined ? format.EMPTY : `${r.relative_percent.toFixed(1)}%`) },
      { key: 'significant', kind: 'text', label: t('journeys.stats.col.significant'), text: (r) => (r.significant ? t('journeys.yes') : t('journeys.no')) },
    ],
    rows: report.lifts.map((l) => ({ ...l, difference: l.difference_points })), empty: t('journeys.stats.nolift') });
  return [variants, steps, lifts];
}

/** Activate / pause buttons for a journey: only with marketing:write, and only the move its status allows. */
function statusActions(journey, rerender) {
  const target = journey.status === 'active' ? 'paused' : 'active';
  const button = el('button', { type: 'button', id: 'journey-status', 'data-target': target,
    text: t(target === 'active' ? 'journeys.activate' : 'journeys.pause') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const saved = await api.post(`/v1/journeys/${encodeURIComponent(journey.journey_id)}/status`, { status: target });
      state.message = { ok: true, text: t('journeys.changed', { name: saved.name, status: statusText(saved.status) }) };
    } catch (e) {
      state.message = { ok: false, text: t('journeys.changefailed') + e.message };
    }
    await rerender();
    document.getElementById('journey-status')?.focus();
  });
  return el('div', { class: 'actions', role: 'group', 'aria-label': t('journeys.actions') }, button);
}

async function detail(kind, id, session, journeys, rerender) {
  const path = kind === 'journey' ? '/v1/journeys/' : '/v1/broadcasts/';
  const item = kind === 'journey' ? journeys.find((j) => j.journey_id === id) : await api.get(path + encodeURIComponent(id));
  if (!item) return el('p', { class: 'error', role: 'alert', text: t('journeys.missing', { id }) });
  const report = await api.get(`${path}${encodeURIComponent(id)}/stats`);
  const canWrite = session?.permissions?.includes('marketing:write') ?? false;
  const message = state.message ? el('p', { id: 'journey-message', role: 'status', class: state.message.ok ? 'ok' : 'error', text: state.message.text }) : null;
  state.message = null;
  return el('section', { id: 'detail', class: 'block', 'data-kind': kind, 'data-id': id, 'data-status': item.status, 'aria-labelledby': 'detail-title' },
    el('h2', { id: 'detail-title', text: t(`journeys.detail.${kind}`, { name: item.name, status: statusText(item.status) }) }),
    kind === 'journey' && item.definition?.description ? el('p', { class: 'note', text: item.definition.description }) : null,
    kind === 'journey' && canWrite && (item.status === 'active' || item.status === 'paused' || item.status === 'draft') ? statusActions(item, rerender) : null,
    message,
    el('p', { class: 'note', text: t('journeys.stats.note') }),
    statsTables(kind, { ...report, attribution_window_days: windowDays(report.attribution_window) }));
}

/** The report's attribution window ("7.00:00:00", a .NET TimeSpan) in days. */
function windowDays(span) {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)/.exec(String(span ?? ''));
  if (!match) return 7;
  return Number(match[1] ?? 0) + Number(match[2]) / 24 + Number(match[3]) / 1440;
}

export async function render(main, session) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('journeys.title') }), status.node);
  const rerender = () => render(main, session);
  try {
    const [journeys, broadcasts] = await Promise.all([api.get('/v1/journeys'), api.get('/v1/broadcasts')]);
    const picked = selection() ?? (journeys[0] ? { kind: 'journey', id: journeys[0].journey_id } : broadcasts[0] ? { kind: 'broadcast', id: broadcasts[0].broadcast_id } : null);
    const canWrite = session?.permissions?.includes('marketing:write') ?? false;
    main.replaceChildren(
      el('h1', { text: t('journeys.title') }),
      el('p', { class: 'note', text: t(canWrite ? 'journeys.note.write' : 'journeys.note.read') }),
      el('h2', { text: t('journeys.journeys') }),
      listTable('journeys-table', journeyRows(journeys), [['name', 'text'], ['id', 'text'], ['status', 'text'], ['trigger', 'text'], ['version', 'count'], ['updated_at', 'text']],
        journeySort, 'journey'),
      el('h2', { text: t('journeys.broadcasts') }),
      listTable('broadcasts-table', broadcastRows(broadcasts), [['name', 'text'], ['id', 'text'], ['status', 'text'], ['segment', 'text'], ['channel', 'text'],
        ['send_at', 'text'], ['planned', 'count'], ['enqueued', 'count'], ['held_out', 'count'], ['created_at', 'text']], broadcastSort, 'broadcast'),
      picked ? await detail(picked.kind, picked.id, session, journeys, rerender) : null);
  } catch (e) {
    status.fail(e);
  }
}

export const strings = {
  zh: {
    'journeys.title': '旅程与群发',
    'journeys.note.write': '点击名称查看各步骤效果与对照组增量；旅程可以在详情中启用或暂停。',
    'journeys.note.read': '点击名称查看各步骤效果与对照组增量。',
    'journeys.journeys': '自动化旅程', 'journeys.broadcasts': '群发',
    'journeys.journey.caption': '旅程（点击列标题排序）', 'journeys.journey.empty': '还没有旅程。',
    'journeys.broadcast.caption': '群发（点击列标题排序）', 'journeys.broadcast.empty': '还没有群发。',
    'journeys.col.name': '名称', 'journeys.col.id': '编号', 'journeys.col.status': '状态', 'journeys.col.trigger': '触发条件',
    'journeys.col.version': '版本', 'journeys.col.updated_at': '更新时间（北京时间）', 'journeys.col.segment': '人群', 'journeys.col.channel': '渠道',
    'journeys.col.send_at': '发送时间', 'journeys.col.planned': '已规划', 'journeys.col.enqueued': '已排队', 'journeys.col.held_out': '对照组',
    'journeys.col.created_at': '创建时间（北京时间）',
    'journeys.status.draft': '草稿', 'journeys.status.active': '运行中', 'journeys.status.paused': '已暂停', 'journeys.status.archived': '已归档',
    'journeys.status.planned': '待发送', 'journeys.status.planning': '规划中', 'journeys.status.sending': '发送中', 'journeys.status.done': '已完成',
    'journeys.status.cancelled': '已取消',
    'journeys.trigger.event': '事件 {event}', 'journeys.trigger.lifecycle': '生命周期进入 {to}',
    'journeys.detail.journey': '旅程「{name}」（{status}）', 'journeys.detail.broadcast': '群发「{name}」（{status}）',
    'journeys.actions': '旅程操作', 'journeys.activate': '启用旅程', 'journeys.pause': '暂停旅程',
    'journeys.changed': '「{name}」现在是{status}。', 'journeys.changefailed': '修改状态失败：',
    'journeys.missing': '没有编号为 {id} 的旅程或群发。',
    'journeys.stats.note': '转化：消息送达后归因窗口内支付订单；增量：与对照组转化率之差（百分点）及 95% 置信区间。',
    'journeys.stats.variants': '各分组效果（归因窗口 {days} 天）', 'journeys.stats.steps': '各步骤效果', 'journeys.stats.lift': '相对对照组的增量',
    'journeys.stats.novariants': '还没有客户进入。', 'journeys.stats.nosteps': '还没有发送消息。', 'journeys.stats.nolift': '没有对照组数据，暂不能计算增量。',
    'journeys.stats.col.variant': '分组', 'journeys.stats.col.holdout': '对照组', 'journeys.stats.col.entered': '进入人数', 'journeys.stats.col.converted': '转化人数',
    'journeys.stats.col.conversion_rate': '转化率', 'journeys.stats.col.revenue': '转化金额', 'journeys.stats.col.step_id': '步骤',
    'journeys.stats.col.sent': '发送', 'journeys.stats.col.delivered': '送达', 'journeys.stats.col.failed': '失败', 'journeys.stats.col.held_out': '对照组',
    'journeys.stats.col.opened': '打开', 'journeys.stats.col.clicked': '点击', 'journeys.stats.col.unsubscribed': '退订',
    'journeys.stats.col.difference': '转化率差', 'journeys.stats.col.interval': '95% 置信区间', 'journeys.stats.col.relative': '相对提升',
    'journeys.stats.col.significant': '显著',
    'journeys.points': '{n} 个百分点', 'journeys.interval': '{low} 至 {high} 个百分点',
    'journeys.yes': '是', 'journeys.no': '否',
  },
  en: {
    'journeys.title': 'Journeys & broadcasts',
    'journeys.note.write': 'Click a name for its results per step and the lift over the holdout; a journey can be activated or paused there.',
    'journeys.note.read': 'Click a name for its results per step and the lift over the holdout.',
    'journeys.journeys': 'Journeys', 'journeys.broadcasts': 'Broadcasts',
    'journeys.journey.caption': 'Journeys (click a column heading to sort)', 'journeys.journey.empty': 'No journey yet.',
    'journeys.broadcast.caption': 'Broadcasts (click a column heading to sort)', 'journeys.broadcast.empty': 'No broadcast yet.',
    'journeys.col.name': 'Name', 'journeys.col.id': 'Id', 'journeys.col.status': 'Status', 'journeys.col.trigger': 'Trigger',
    'journeys.col.version': 'Version', 'journeys.col.updated_at': 'Updated (China time)', 'journeys.col.segment': 'Segment', 'journeys.col.channel': 'Channel',
    'journeys.col.send_at': 'Sends at', 'journeys.col.planned': 'Planned', 'journeys.col.enqueued': 'Enqueued', 'journeys.col.held_out': 'Held out',
    'journeys.col.created_at': 'Created (China time)',
    'journeys.status.draft': 'draft', 'journeys.status.active': 'active', 'journeys.status.paused': 'paused', 'journeys.status.archived': 'archived',
    'journeys.status.planned': 'planned', 'journeys.status.planning': 'planning', 'journeys.status.sending': 'sending', 'journeys.status.done': 'done',
    'journeys.status.cancelled': 'cancelled',
    'journeys.trigger.event': 'event {event}', 'journeys.trigger.lifecycle': 'becomes {to}',
    'journeys.detail.journey': 'Journey “{name}” ({status})', 'journeys.detail.broadcast': 'Broadcast “{name}” ({status})',
    'journeys.actions': 'Journey actions', 'journeys.activate': 'Activate journey', 'journeys.pause': 'Pause journey',
    'journeys.changed': '“{name}” is now {status}.', 'journeys.changefailed': 'Changing the status failed: ',
    'journeys.missing': 'No journey or broadcast {id}.',
    'journeys.stats.note': 'Converted: paid an order within the attribution window after delivery; lift: the difference in conversion rate against the holdout (percentage points) with a 95% confidence interval.',
    'journeys.stats.variants': 'Results per variant (attribution window {days} days)', 'journeys.stats.steps': 'Results per step', 'journeys.stats.lift': 'Lift over the holdout',
    'journeys.stats.novariants': 'No customer has entered yet.', 'journeys.stats.nosteps': 'No message sent yet.', 'journeys.stats.nolift': 'No holdout data yet, so no lift.',
    'journeys.stats.col.variant': 'Variant', 'journeys.stats.col.holdout': 'Holdout', 'journeys.stats.col.entered': 'Entered', 'journeys.stats.col.converted': 'Converted',
    'journeys.stats.col.conversion_rate': 'Conversion rate', 'journeys.stats.col.revenue': 'Revenue', 'journeys.stats.col.step_id': 'Step',
    'journeys.stats.col.sent': 'Sent', 'journeys.stats.col.delivered': 'Delivered', 'journeys.stats.col.failed': 'Failed', 'journeys.stats.col.held_out': 'Held out',
    'journeys.stats.col.opened': 'Opened', 'journeys.stats.col.clicked': 'Clicked', 'journeys.stats.col.unsubscribed': 'Unsubscribed',
    'journeys.stats.col.difference': 'Difference', 'journeys.stats.col.interval': '95% interval', 'journeys.stats.col.relative': 'Relative lift',
    'journeys.stats.col.significant': 'Significant',
    'journeys.points': '{n} pts', 'journeys.interval': '{low} to {high} pts',
    'journeys.yes': 'yes', 'journeys.no': 'no',
  },
};

// Content & keywords: content click-through against conversion (GET /v1/content/report, the seeds' 内容页点击率 vs 转化率) with each
// item's quadrant, the per-platform totals, the keyword table (GET /v1/keywords: on-site terms and paid keywords), and the trial-ambassador
// programmes (GET /v1/trials/report). The API gives money in fen; the page shows yuan.
import { t } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';
import { dataTable } from './table.js';
import { range, ensureRange, rangeControls, loading } from './range.js';

const QUADRANTS = ['sells', 'watched_not_selling', 'sells_quietly', 'neither', 'no_data'];

// Sort state per table, kept across re-renders (language, range).
const sorts = {
  items: { column: 'gmv', direction: 'descending' },
  platforms: { column: 'gmv', direction: 'descending' },
  keywords: { column: 'orders', direction: 'descending' },
};

const yuan = (fen) => (fen === null || fen === undefined ? null : fen / 100);

export async function render(main) {
  const status = loading();
  main.replaceChildren(el('h1', { text: t('content.title') }), status.node);
  try {
    await ensureRange();
    const query = new URLSearchParams({ from: range.from, to: range.to });
    const [report, keywords, trials] = await Promise.all([
      api.get(`/v1/content/report?${query}`),
      api.get(`/v1/keywords?${query}`),
      api.get('/v1/trials/report'),
    ]);
    main.replaceChildren(
      el('h1', { text: t('content.title') }),
      rangeControls(() => render(main)),
      el('p', { id: 'content-note', class: 'note', 'data-from': report.from, 'data-to': report.to },
        t('content.note', { from: report.from, to: report.to })),
      quadrantSummary(report),
      itemsTable(report),
      platformsTable(report),
      keywordsTable(keywords),
      trialsSection(trials),
      el('details', { class: 'rules' }, el('summary', { text: t('content.rules') }),
        el('p', { id: 'content-rules', text: report.rules }), el('p', { id: 'keyword-rules', text: keywords.rules })));
  } catch (e) {
    status.fail(e);
  }
}

/** The four quadrants (CTR against CVR, around their medians) with how many items fall in each. */
function quadrantSummary(report) {
  const counts = Object.fromEntries(QUADRANTS.map((q) => [q, report.items.filter((i) => i.quadrant === q).length]));
  const cell = (q) => el('div', { class: `quadrant quadrant-${q}`, 'data-quadrant': q, 'data-count': String(counts[q]) },
    el('strong', { text: t('content.q.' + q) }),
    el('span', { class: 'quadrant-count', text: t('content.items', { n: counts[q] }) }),
    el('span', { class: 'quadrant-hint', text: t('content.qhint.' + q) }));
  return el('section', { class: 'panel', 'aria-labelledby': 'content-quadrants-title' },
    el('h2', { id: 'content-quadrants-title', text: t('content.quadrants') }),
    el('p', { class: 'note', text: t('content.medians', { ctr: pct(report.median_ctr), cvr: pct(report.median_cvr) }) }),
    el('div', { id: 'content-quadrants', class: 'quadrants', role: 'group', 'aria-label': t('content.quadrants') },
      cell('sells_quietly'), cell('sells'), cell('neither'), cell('watched_not_selling')),
    el('p', { class: 'note', text: t('content.nodata', { n: counts.no_data }) }));
}

const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

function itemsTable(report) {
  const rows = report.items.map((i) => ({ ...i, cost: yuan(i.cost), gmv: yuan(i.gmv), cost_per_order: yuan(i.cost_per_order), quadrant_label: t('content.q.' + i.quadrant) }));
  const columns = [
    ['content_id', 'text'], ['title', 'text'], ['platform', 'text'], ['kind', 'text'], ['owner', 'text'], ['views', 'count'], ['clicks', 'count'],
    ['ctr', 'percent'], ['orders', 'count'], ['cvr', 'percent'], ['gmv', 'money'], ['cost', 'money'], ['cost_per_order', 'money'], ['roi', 'ratio'],
    ['quadrant_label', 'text'],
  ];
  return el('section', { class: 'panel', 'aria-labelledby': 'content-items-title' },
    el('h2', { id: 'content-items-title', text: t('content.items.title') }),
    dataTable({
      id: 'content-table',
      caption: t('content.items.caption'),
      exportName: `content-${report.from}-${report.to}`,
      columns: columns.map(([key, kind]) => ({
        key, kind, label: t('content.col.' + key), header: key === 'content_id',
        cellClass: key === 'quadrant_label' ? (row) => `quadrant-tag quadrant-${row.quadrant}` : undefined,
        text: key === 'platform' ? (row) => t('content.platform.' + row.platform) : key === 'kind' ? (row) => t('content.kind.' + row.kind)
          : key === 'owner' ? (row) => t('content.owner.' + row.owner) : undefined,
      })),
      rows,
      sort: sorts.items,
      empty: t('content.empty'),
    }));
}

function platformsTable(report) {
  const rows = report.platforms.map((p) => ({ ...p, cost: yuan(p.cost), gmv: yuan(p.gmv), cost_per_order: yuan(p.cost_per_order), platform_gmv: yuan(p.platform_gmv) }));
  const columns = [['platform', 'text'], ['items', 'count'], ['views', 'count'], ['clicks', 'count'], ['ctr', 'percent'], ['orders', 'count'], ['cvr', 'percent'],
    ['gmv', 'money'], ['cost', 'money'], ['cost_per_order', 'money'], ['roi', 'ratio'], ['platform_gmv', 'money']];
  return el('section', { class: 'panel', 'aria-labelledby': 'content-platforms-title' },
    el('h2', { id: 'content-platforms-title', text: t('content.platforms') }),
    dataTable({
      id: 'content-platforms',
      caption: t('content.platforms'),
      exportName: `content-platforms-${report.from}-${report.to}`,
      columns: columns.map(([key, kind]) => ({ key, kind, label: t('content.col.' + key), header: key === 'platform',
        text: key === 'platform' ? (row) => t('content.platform.' + row.platform) : undefined })),
      rows,
      sort: sorts.platforms,
      rowKey: (row) => row.platform,
      empty: t('content.empty'),
    }));
}

function keywordsTable(report) {
  const rows = report.keywords.map((k) => ({ ...k, key: `${k.kind}:${k.channel ?? ''}:${k.keyword}`, cost: yuan(k.cost), cpc: yuan(k.cpc), gmv: yuan(k.gmv),
    kind_label: t('content.kw.' + k.kind) }));
  const columns = [['keyword', 'text'], ['kind_label', 'text'], ['channel', 'text'], ['searches', 'count'], ['searchers', 'count'], ['click_through', 'percent'],
    ['zero_result_searches', 'count'], ['clicks', 'count'], ['cost', 'money'], ['cpc', 'money'], ['orders', 'count'], ['conversion_rate', 'percent'],
    ['gmv', 'money'], ['roi', 'ratio']];
  return el('section', { class: 'panel', 'aria-labelledby': 'keywords-title' },
    el('h2', { id: 'keywords-title', text: t('content.keywords') }),
    dataTable({
      id: 'keywords-table',
      caption: t('content.keywords.caption'),
      exportName: `keywords-${report.from}-${report.to}`,
      columns: columns.map(([key, kind]) => ({ key, kind, label: t('content.col.' + key), header: key === 'keyword',
        cellClass: key === 'zero_result_searches' ? (row) => (row.zero_result_searches > 0 ? 'zero-results' : '') : undefined })),
      rows,
      sort: sorts.keywords,
      rowKey: (row) => row.key,
      empty: t('content.keywords.empty'),
    }));
}

function trialsSection(rows) {
  const money = (fen) => (fen === null || fen === undefined ? '—' : `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
  const cards = rows.map((r) => el('article', { class: 'trial', 'data-trial': r.trial_id },
    el('h3', { text: `${r.name} (${r.from} – ${r.to})` }),
    el('ol', { class: 'trial-funnel' },
      ['applications', 'selected', 'shipped', 'posted'].map((k) => el('li', { 'data-step': k, 'data-count': String(r[k]) },
        el('span', { text: t('content.trial.' + k) }), el('strong', { text: String(r[k]) })))),
    el('dl', { class: 'trial-figures' },
      figure('cost', money(r.cost), r.cost), figure('cost_per_post', money(r.cost_per_post), r.cost_per_post),
      figure('orders', String(r.attributed_orders), r.attributed_orders), figure('gmv', money(r.attributed_gmv), r.attributed_gmv),
      figure('cost_per_order', money(r.cost_per_attributed_order), r.cost_per_attributed_order),
      figure('paid_cost_per_order', money(r.paid_creator_cost_per_order), r.paid_creator_cost_per_order))));
  return el('section', { class: 'panel', 'aria-labelledby': 'trials-title' },
    el('h2', { id: 'trials-title', text: t('content.trials') }),
    cards.length ? el('div', { id: 'trials', class: 'trials' }, cards) : el('p', { class: 'note', text: t('content.trials.empty') }));
}

function figure(key, shown, raw) {
  return el('div', { class: 'trial-figure', 'data-figure': key, 'data-value': raw === null || raw === undefined ? '' : String(raw) },
    el('dt', { text: t('content.trial.' + key) }), el('dd', { text: shown }));
}

const PLATFORMS_ZH = {
  xiaohongshu: '小红书', douyin: '抖音', kuaishou: '快手', bilibili: 'B站', weibo: '微博', zhihu: '知乎', wechat: '微信公众号/视频号', wecom: '企业微信',
  community: '社群', tmall: '淘宝/天猫', jd: '京东', pinduoduo: '拼多多', douyin_shop: '抖音小店', baidu: '百度', own_site: '品牌官网/小程序', email: '邮件', sms: '短信',
};
const PLATFORMS_EN = {
  xiaohongshu: 'Xiaohongshu', douyin: 'Douyin', kuaishou: 'Kuaishou', bilibili: 'Bilibili', weibo: 'Weibo', zhihu: 'Zhihu', wechat: 'WeChat', wecom: 'WeCom',
  community: 'Community', tmall: 'Taobao/Tmall', jd: 'JD', pinduoduo: 'Pinduoduo', douyin_shop: 'Douyin shop', baidu: 'Baidu', own_site: 'Own site', email: 'Email', sms: 'SMS',
};
const prefixed = (prefix, map) => Object.fromEntries(Object.entries(map).map(([k, v]) => [prefix + k, v]));

export const strings = {
  zh: {
    'content.title': '内容与关键词',
    'content.note': '{from} 至 {to}：点击 = 带 utm_content 的访问（同一访客 30 分钟内算一次）；订单归于付款前 7 天内最后一次内容触点。',
    'content.quadrants': '内容页点击率 vs 转化率', 'content.medians': '中位点击率 {ctr}，中位转化率 {cvr}（高 = 不低于中位数）',
    'content.items': '{n} 条', 'content.nodata': '另有 {n} 条内容缺少曝光或点击数据，未归入象限。',
    'content.q.sells': '叫好又叫座', 'content.q.watched_not_selling': '叫好不叫座', 'content.q.sells_quietly': '小而美', 'content.q.neither': '双低',
    'content.q.no_data': '数据不足',
    'content.qhint.sells': '点击率高、转化率高：加投', 'content.qhint.watched_not_selling': '点击率高、转化率低：检查落地页与货品',
    'content.qhint.sells_quietly': '点击率低、转化率高：优化封面标题', 'content.qhint.neither': '点击率低、转化率低：复盘或停投',
    'content.items.title': '内容明细', 'content.items.caption': '每条内容的点击率、转化率与回报', 'content.empty': '区间内没有内容',
    'content.platforms': '按平台汇总',
    'content.col.content_id': '内容 ID', 'content.col.title': '标题', 'content.col.platform': '平台', 'content.col.kind': '形式', 'content.col.owner': '发布方',
    'content.col.views': '曝光/播放', 'content.col.clicks': '点击', 'content.col.ctr': '点击率', 'content.col.orders': '订单', 'content.col.cvr': '转化率',
    'content.col.gmv': '成交额', 'content.col.cost': '成本', 'content.col.cost_per_order': '单均成本', 'content.col.roi': 'ROI', 'content.col.quadrant_label': '象限',
    'content.col.items': '内容数', 'content.col.platform_gmv': '平台报告成交额',
    'content.col.keyword': '关键词', 'content.col.kind_label': '类型', 'content.col.channel': '渠道', 'content.col.searches': '搜索次数', 'content.col.searchers': '搜索人数',
    'content.col.click_through': '点击率', 'content.col.zero_result_searches': '无结果搜索', 'content.col.cpc': 'CPC', 'content.col.conversion_rate': '转化率',
    'content.keywords': '搜索关键词', 'content.keywords.caption': '站内搜索词与付费关键词（SEO/SEM）', 'content.keywords.empty': '区间内没有搜索或关键词投放',
    'content.kw.onsite': '站内搜索', 'content.kw.paid': '付费关键词',
    'content.kind.note': '图文笔记', 'content.kind.short_video': '短视频', 'content.kind.long_video': '长视频', 'content.kind.live': '直播', 'content.kind.topic': '话题',
    'content.kind.ugc': '用户原创',
    'content.owner.brand': '品牌', 'content.owner.kol': 'KOL', 'content.owner.koc': 'KOC', 'content.owner.customer': '顾客',
    'content.trials': '产品体验官', 'content.trials.empty': '还没有体验官计划',
    'content.trial.applications': '申请', 'content.trial.selected': '入选', 'content.trial.shipped': '已寄送', 'content.trial.posted': '已发布',
    'content.trial.cost': '成本', 'content.trial.cost_per_post': '每篇成本', 'content.trial.orders': '带来订单', 'content.trial.gmv': '带来成交额',
    'content.trial.cost_per_order': '单均成本', 'content.trial.paid_cost_per_order': '付费达人单均成本',
    'content.rules': '口径说明',
    ...prefixed('content.platform.', PLATFORMS_ZH),
  },
  en: {
    'content.title': 'Content & keywords',
    'content.note': '{from} to {to}: a click is a visit carrying utm_content (once per visitor per 30 minutes); an order goes to the last content touch within 7 days before payment.',
    'content.quadrants': 'Content click-through vs conversion', 'content.medians': 'Median CTR {ctr}, median CVR {cvr} (high = at or above the median)',
    'content.items': '{n} items', 'content.nodata': '{n} more items lack views or clicks and are not placed.',
    'content.q.sells': 'Watched and sells', 'content.q.watched_not_selling': 'Watched but does not sell', 'content.q.sells_quietly': 'Sells quietly', 'content.q.neither': 'Neither',
    'content.q.no_data': 'Not enough data',
    'content.qhint.sells': 'High CTR, high CVR: spend more', 'content.qhint.watched_not_selling': 'High CTR, low CVR: check the landing page and offer',
    'content.qhint.sells_quietly': 'Low CTR, high CVR: improve cover and title', 'content.qhint.neither': 'Low CTR, low CVR: review or stop',
    'content.items.title': 'Content items', 'content.items.caption': 'Click-through, conversion and return of each item', 'content.empty': 'No content in the range',
    'content.platforms': 'By platform',
    'content.col.content_id': 'Content ID', 'content.col.title': 'Title', 'content.col.platform': 'Platform', 'content.col.kind': 'Kind', 'content.col.owner': 'Owner',
    'content.col.views': 'Views', 'content.col.clicks': 'Clicks', 'content.col.ctr': 'CTR', 'content.col.orders': 'Orders', 'content.col.cvr': 'CVR',
    'content.col.gmv': 'GMV', 'content.col.cost': 'Cost', 'content.col.cost_per_order': 'Cost per order', 'content.col.roi': 'ROI', 'content.col.quadrant_label': 'Quadrant',
    'content.col.items': 'Items', 'content.col.platform_gmv': 'Platform-reported GMV',
    'content.col.keyword': 'Keyword', 'content.col.kind_label': 'Kind', 'content.col.channel': 'Channel', 'content.col.searches': 'Searches', 'content.col.searchers': 'Searchers',
    'content.col.click_through': 'Click-through', 'content.col.zero_result_searches': 'Zero-result searches', 'content.col.cpc': 'CPC', 'content.col.conversion_rate': 'Conversion',
    'content.keywords': 'Search keywords', 'content.keywords.caption': 'On-site search terms and paid keywords (SEO/SEM)', 'content.keywords.empty': 'No searches or keyword spend in the range',
    'content.kw.onsite': 'On-site search', 'content.kw.paid': 'Paid keyword',
    'content.kind.note': 'Note', 'content.kind.short_video': 'Short video', 'content.kind.long_video': 'Long video', 'content.kind.live': 'Live stream', 'content.kind.topic': 'Topic',
    'content.kind.ugc': 'UGC',
    'content.owner.brand': 'Brand', 'content.owner.kol': 'KOL', 'content.owner.koc': 'KOC', 'content.owner.customer': 'Customer',
    'content.trials': 'Trial ambassadors', 'content.trials.empty': 'No trial programmes yet',
    'content.trial.applications': 'Applications', 'content.trial.selected': 'Selected', 'content.trial.shipped': 'Shipped', 'content.trial.posted': 'Posted',
    'content.trial.cost': 'Cost', 'content.trial.cost_per_post': 'Cost per post', 'content.trial.orders': 'Attributed orders', 'content.trial.gmv': 'Attributed GMV',
    'content.trial.cost_per_order': 'Cost per order', 'content.trial.paid_cost_per_order': 'Paid creators’ cost per order',
    'content.rules': 'How the figures are counted',
    ...prefixed('content.platform.', PLATFORMS_EN),
  },
};

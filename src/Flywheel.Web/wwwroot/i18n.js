// Every string the console shows, in Chinese (the default) and English. The choice is kept in localStorage.
const STORAGE_KEY = 'flywheel.lang';

export const dictionaries = {
  zh: {
    'lang.toggle': 'English',
    'lang.toggle.label': 'Switch to English',
    'signin.title': '登录 Flywheel',
    'signin.key': 'API 密钥',
    'signin.hint': '输入管理员给你的密钥（fw_ 开头）。密钥只用于登录，会话保存在仅限本站的 Cookie 中。',
    'signin.submit': '登录',
    'signin.failed': '登录失败：', 'signin.invalid': '密钥无效或已被撤销。',
    'signout': '退出登录',
    'who': '{name}（{role}）',
    'role.admin': '管理员', 'role.marketer': '运营', 'role.analyst': '分析师', 'role.viewer': '只读', 'role.ingest': '数据接入',
    'nav.label': '主导航',
    'nav.overview': '概览', 'nav.channels': '渠道', 'nav.funnel': '漏斗', 'nav.cohorts': '留存', 'nav.customers': '客户',
    'nav.goals': '目标', 'nav.promotions': '促销', 'nav.journeys': '旅程与群发',
    'nav.matrix': '渠道矩阵', 'nav.creators': '达人合作', 'nav.content': '内容与关键词', 'nav.experiments': 'A/B 实验',
    'coming.badge': '即将推出',
    'coming.text': '「{page}」页面即将推出。现在可以通过 API 或命令行使用这些功能。',
    'overview.title': '经营概览',
    'range.label': '时间范围',
    'range.today': '今天（数据最后一天）', 'range.618': '618 大促（6/1–6/18）', 'range.1111': '双11（10/20–11/11）',
    'range.7': '近 7 天', 'range.30': '近 30 天', 'range.90': '近 90 天', 'range.quarter': '本季度', 'range.custom': '自定义',
    'range.from': '开始日期', 'range.to': '结束日期', 'range.apply': '查询',
    'range.note': '{from} 至 {to}（{tz}），对比上期 {pfrom} 至 {pto}；预设按数据的最后一天（{end}）计算。',
    'kpi.gmv': '成交额 GMV', 'kpi.orders': '订单数', 'kpi.buyers': '买家数', 'kpi.uv': '访客数 UV', 'kpi.cvr': '转化率',
    'kpi.aov': '客单价', 'kpi.repurchase_rate': '复购率', 'kpi.spend': '推广花费', 'kpi.roi': '投资回报率 ROI', 'kpi.cac': '获客成本 CAC',
    'change.yoy': '同比', 'change.yoy.none': '去年同期无数据', 'kpi.trend': '{kpi}每日走势，{from} 至 {to}',
    'overview.live': '每 {n} 秒自动刷新，最近更新 {time}', 'overview.trend': '成交额每日走势',
    'change.vs': '较上期', 'change.none': '上期无可比数据',
    'channels.title': '渠道分析', 'channels.trend': '成交额前 {n} 的渠道每日成交额走势',
    'channels.caption': '各渠道的流量、转化与花费（点击列标题排序）',
    'channels.note': '{from} 至 {to}（{tz}）；预设按数据的最后一天（{end}）计算。没有流量或花费数据的渠道显示为 —。',
    'channels.empty': '该时间范围内没有渠道数据。',
    'channels.col.key': '渠道', 'channels.col.uv': '访客数 UV', 'channels.col.sessions': '访问次数', 'channels.col.clicks': '广告点击',
    'channels.col.orders': '订单数', 'channels.col.buyers': '买家数', 'channels.col.cvr': '转化率', 'channels.col.gmv': '成交额 GMV',
    'channels.col.aov': '客单价', 'channels.col.spend': '推广花费', 'channels.col.cpc': '单次点击成本 CPC', 'channels.col.roi': 'ROI', 'channels.col.cac': '获客成本 CAC',
    'funnel.title': '转化漏斗',
    'funnel.builder': '漏斗步骤',
    'funnel.step': '第 {n} 步', 'funnel.remove': '删除第 {n} 步', 'funnel.add': '添加步骤',
    'funnel.window': '转化窗口', 'funnel.window.1h': '1 小时', 'funnel.window.1d': '1 天', 'funnel.window.7d': '7 天', 'funnel.window.30d': '30 天',
    'funnel.run': '生成漏斗',
    'funnel.filter.field': '第 {n} 步筛选字段', 'funnel.filter.value': '第 {n} 步筛选值', 'funnel.filter.none': '不筛选', 'funnel.filter.placeholder': '筛选值',
    'funnel.field.channel': '渠道', 'funnel.field.campaign': '活动', 'funnel.field.category': '类目', 'funnel.field.source': '来源',
    'funnel.field.medium': '媒介', 'funnel.field.kol': '达人',
    'funnel.by': '拆分', 'funnel.by.none': '不拆分', 'funnel.by.channel': '按第一步的渠道', 'funnel.by.first_touch_channel': '按首次触达渠道',
    'funnel.by.unknown': '（无渠道）', 'funnel.breakdown.caption': '{by}拆分：各渠道在每一步的人数', 'funnel.col.p90_seconds': '转化时长 P90',
    'funnel.note': '{from} 至 {to} 内进入第一步的访客；预设按数据的最后一天（{end}）计算。',
    'funnel.empty': '选择步骤后点击「生成漏斗」。',
    'funnel.caption': '{from} 至 {to}，转化窗口 {window}',
    'funnel.col.step': '步骤', 'funnel.col.customers': '人数', 'funnel.col.conversion_from_previous': '较上一步转化率',
    'funnel.col.conversion_from_first': '较第一步转化率', 'funnel.col.drop_off': '流失人数', 'funnel.col.median_seconds': '转化时长中位数',
    'funnel.save.title': '把流失人群保存为受众',
    'funnel.save.after': '流失位置',
    'funnel.save.choice': '完成第 {n} 步 {step}、未到 {next}（{count} 人）',
    'funnel.save.name': '受众名称',
    'funnel.save.hint': '小写字母、数字、_ 或 -，最多 64 个字符；同名受众会被替换。',
    'funnel.save.label': '说明（可选）',
    'funnel.save.submit': '保存受众',
    'funnel.save.done': '已保存受众「{name}」：{members} 位客户（另有 {anonymous} 位匿名访客无法触达，未计入）。',
    'funnel.save.failed': '保存失败：',
    'funnel.save.badname': '受众名称只能包含小写字母、数字、_ 和 -，最多 64 个字符。',
    'event.page_view': '浏览页面', 'event.search': '搜索', 'event.product_view': '浏览商品', 'event.add_to_cart': '加入购物车',
    'event.begin_checkout': '开始结算', 'event.order_paid': '支付订单', 'event.signup': '注册', 'event.login': '登录',
    'event.share': '分享', 'event.coupon_claimed': '领取优惠券', 'event.review': '评价',
    'duration.s': '{n} 秒', 'duration.m': '{n} 分钟', 'duration.h': '{n} 小时', 'duration.d': '{n} 天',
    'error.load': '加载失败：', 'error.noreports': '当前角色没有查看报表的权限。',
    'loading': '加载中…',
    'export.csv': '导出 CSV', 'export.xlsx': '导出 Excel', 'export.failed': '导出失败：', 'export.label': '导出「{table}」',
    'table.empty': '没有数据。', 'chart.missing': '图表不可用：本次构建没有 Node.js（安装 nodejs 和 npm 后重新构建）。',
  },
  en: {
    'lang.toggle': '中文',
    'lang.toggle.label': '切换到中文',
    'signin.title': 'Sign in to Flywheel',
    'signin.key': 'API key',
    'signin.hint': 'Enter the key your administrator gave you (starts with fw_). It is used only to sign in; the session lives in a cookie for this site only.',
    'signin.submit': 'Sign in',
    'signin.failed': 'Sign-in failed: ', 'signin.invalid': 'the key is not valid or was revoked.',
    'signout': 'Sign out',
    'who': '{name} ({role})',
    'role.admin': 'admin', 'role.marketer': 'marketer', 'role.analyst': 'analyst', 'role.viewer': 'viewer', 'role.ingest': 'ingest',
    'nav.label': 'Main',
    'nav.overview': 'Overview', 'nav.channels': 'Channels', 'nav.funnel': 'Funnel', 'nav.cohorts': 'Cohorts', 'nav.customers': 'Customers',
    'nav.goals': 'Goals', 'nav.promotions': 'Promotions', 'nav.journeys': 'Journeys & broadcasts',
    'nav.matrix': 'Channel matrix', 'nav.creators': 'Creators', 'nav.content': 'Content & keywords', 'nav.experiments': 'Experiments',
    'coming.badge': 'coming',
    'coming.text': 'The {page} page is coming. Its features are available through the API and the command line today.',
    'overview.title': 'Overview',
    'range.label': 'Date range',
    'range.today': 'Today (last day with data)', 'range.618': '618 festival (1–18 Jun)', 'range.1111': 'Double 11 (20 Oct – 11 Nov)',
    'range.7': 'Last 7 days', 'range.30': 'Last 30 days', 'range.90': 'Last 90 days', 'range.quarter': 'This quarter', 'range.custom': 'Custom',
    'range.from': 'From', 'range.to': 'To', 'range.apply': 'Apply',
    'range.note': '{from} to {to} ({tz}), against the previous period {pfrom} to {pto}; presets end on the last day with data ({end}).',
    'kpi.gmv': 'GMV', 'kpi.orders': 'Orders', 'kpi.buyers': 'Buyers', 'kpi.uv': 'Visitors (UV)', 'kpi.cvr': 'Conversion rate',
    'kpi.aov': 'Average order value', 'kpi.repurchase_rate': 'Repurchase rate', 'kpi.spend': 'Ad spend', 'kpi.roi': 'ROI', 'kpi.cac': 'CAC',
    'change.yoy': 'year on year', 'change.yoy.none': 'no figure a year earlier', 'kpi.trend': '{kpi}, daily from {from} to {to}',
    'overview.live': 'Refreshes every {n} s, last updated {time}', 'overview.trend': 'GMV by day',
    'change.vs': 'vs previous period', 'change.none': 'no previous figure',
    'channels.title': 'Channels', 'channels.trend': 'GMV by day of the {n} largest channels',
    'channels.caption': 'Traffic, conversion and cost by channel (click a column heading to sort)',
    'channels.note': '{from} to {to} ({tz}); presets end on the last day with data ({end}). A channel with no traffic or spend to measure shows —.',
    'channels.empty': 'No channel data in this range.',
    'channels.col.key': 'Channel', 'channels.col.uv': 'Visitors (UV)', 'channels.col.sessions': 'Sessions', 'channels.col.clicks': 'Ad clicks',
    'channels.col.orders': 'Orders', 'channels.col.buyers': 'Buyers', 'channels.col.cvr': 'Conversion rate', 'channels.col.gmv': 'GMV',
    'channels.col.aov': 'AOV', 'channels.col.spend': 'Ad spend', 'channels.col.cpc': 'CPC', 'channels.col.roi': 'ROI', 'channels.col.cac': 'CAC',
    'funnel.title': 'Funnel',
    'funnel.builder': 'Funnel steps',
    'funnel.step': 'Step {n}', 'funnel.remove': 'Remove step {n}', 'funnel.add': 'Add step',
    'funnel.window': 'Conversion window', 'funnel.window.1h': '1 hour', 'funnel.window.1d': '1 day', 'funnel.window.7d': '7 days', 'funnel.window.30d': '30 days',
    'funnel.run': 'Build funnel',
    'funnel.filter.field': 'Step {n} filter field', 'funnel.filter.value': 'Step {n} filter value', 'funnel.filter.none': 'No filter', 'funnel.filter.placeholder': 'value',
    'funnel.field.channel': 'Channel', 'funnel.field.campaign': 'Campaign', 'funnel.field.category': 'Category', 'funnel.field.source': 'Source',
    'funnel.field.medium': 'Medium', 'funnel.field.kol': 'KOL',
    'funnel.by': 'Break down', 'funnel.by.none': 'No breakdown', 'funnel.by.channel': 'First step’s channel', 'funnel.by.first_touch_channel': 'First-touch channel',
    'funnel.by.unknown': '(no channel)', 'funnel.breakdown.caption': 'By {by}: visitors at each step', 'funnel.col.p90_seconds': 'Time to convert, P90',
    'funnel.note': 'Visitors entering the first step from {from} to {to}; presets end on the last day with data ({end}).',
    'funnel.empty': 'Pick the steps, then Build funnel.',
    'funnel.caption': '{from} to {to}, conversion window {window}',
    'funnel.col.step': 'Step', 'funnel.col.customers': 'Visitors', 'funnel.col.conversion_from_previous': 'Conversion from previous',
    'funnel.col.conversion_from_first': 'Conversion from first', 'funnel.col.drop_off': 'Drop-off', 'funnel.col.median_seconds': 'Median time to convert',
    'funnel.save.title': 'Save the drop-off as an audience',
    'funnel.save.after': 'Dropped after',
    'funnel.save.choice': 'Step {n} {step}, not {next} ({count})',
    'funnel.save.name': 'Audience name',
    'funnel.save.hint': 'Lower-case letters, digits, _ or -, up to 64; an audience of the same name is replaced.',
    'funnel.save.label': 'Description (optional)',
    'funnel.save.submit': 'Save audience',
    'funnel.save.done': 'Saved the audience "{name}": {members} customers ({anonymous} anonymous visitors cannot be reached and are left out).',
    'funnel.save.failed': 'Could not save: ',
    'funnel.save.badname': 'An audience name holds only lower-case letters, digits, _ and -, up to 64 characters.',
    'event.page_view': 'Page view', 'event.search': 'Search', 'event.product_view': 'Product view', 'event.add_to_cart': 'Add to cart',
    'event.begin_checkout': 'Begin checkout', 'event.order_paid': 'Order paid', 'event.signup': 'Sign-up', 'event.login': 'Log-in',
    'event.share': 'Share', 'event.coupon_claimed': 'Coupon claimed', 'event.review': 'Review',
    'duration.s': '{n} s', 'duration.m': '{n} min', 'duration.h': '{n} h', 'duration.d': '{n} d',
    'error.load': 'Could not load: ', 'error.noreports': 'This role may not read reports.',
    'loading': 'Loading…',
    'export.csv': 'Export CSV', 'export.xlsx': 'Export Excel', 'export.failed': 'Export failed: ', 'export.label': 'Export “{table}”',
    'table.empty': 'No data.', 'chart.missing': 'Chart unavailable: this build had no Node.js (install nodejs and npm, then build again).',
  },
};

/** Adds a page module's strings ({zh: {...}, en: {...}}); a key already defined is an error, so two pages cannot fight over one. */
export function addStrings(strings) {
  for (const lang of ['zh', 'en']) {
    for (const [key, text] of Object.entries(strings[lang] ?? {})) {
      if (key in dictionaries[lang]) throw new Error(`i18n: ${key} is defined twice`);
      dictionaries[lang][key] = text;
    }
  }
}

export function language() {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === 'en' ? 'en' : 'zh';
}

export function setLanguage(lang) {
  localStorage.setItem(STORAGE_KEY, lang === 'en' ? 'en' : 'zh');
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}

/** The text of a key in the current language, with {name} placeholders filled from args. */
export function t(key, args = {}) {
  const text = dictionaries[language()][key] ?? dictionaries.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in args ? String(args[name]) : `{${name}}`));
}

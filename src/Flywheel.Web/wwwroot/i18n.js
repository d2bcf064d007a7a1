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
    'signin.failed': '登录失败：',
    'signout': '退出登录',
    'who': '{name}（{role}）',
    'role.admin': '管理员', 'role.marketer': '运营', 'role.analyst': '分析师', 'role.viewer': '只读', 'role.ingest': '数据接入',
    'nav.label': '主导航',
    'nav.overview': '概览', 'nav.channels': '渠道', 'nav.funnel': '漏斗', 'nav.cohorts': '留存', 'nav.customers': '客户',
    'nav.goals': '目标', 'nav.promotions': '促销', 'nav.journeys': '旅程与群发',
    'coming.badge': '即将推出',
    'coming.text': '「{page}」页面即将推出。现在可以通过 API 或命令行使用这些功能。',
    'overview.title': '经营概览',
    'range.label': '时间范围',
    'range.7': '近 7 天', 'range.30': '近 30 天', 'range.90': '近 90 天', 'range.quarter': '本季度', 'range.custom': '自定义',
    'range.from': '开始日期', 'range.to': '结束日期', 'range.apply': '查询',
    'range.note': '{from} 至 {to}（{tz}），对比上期 {pfrom} 至 {pto}；预设按数据的最后一天（{end}）计算。',
    'kpi.gmv': '成交额 GMV', 'kpi.orders': '订单数', 'kpi.buyers': '买家数', 'kpi.uv': '访客数 UV', 'kpi.cvr': '转化率',
    'kpi.aov': '客单价', 'kpi.repurchase_rate': '复购率', 'kpi.spend': '推广花费', 'kpi.roi': '投资回报率 ROI', 'kpi.cac': '获客成本 CAC',
    'change.vs': '较上期', 'change.none': '上期无可比数据',
    'error.load': '加载失败：', 'error.noreports': '当前角色没有查看报表的权限。',
    'loading': '加载中…',
  },
  en: {
    'lang.toggle': '中文',
    'lang.toggle.label': '切换到中文',
    'signin.title': 'Sign in to Flywheel',
    'signin.key': 'API key',
    'signin.hint': 'Enter the key your administrator gave you (starts with fw_). It is used only to sign in; the session lives in a cookie for this site only.',
    'signin.submit': 'Sign in',
    'signin.failed': 'Sign-in failed: ',
    'signout': 'Sign out',
    'who': '{name} ({role})',
    'role.admin': 'admin', 'role.marketer': 'marketer', 'role.analyst': 'analyst', 'role.viewer': 'viewer', 'role.ingest': 'ingest',
    'nav.label': 'Main',
    'nav.overview': 'Overview', 'nav.channels': 'Channels', 'nav.funnel': 'Funnel', 'nav.cohorts': 'Cohorts', 'nav.customers': 'Customers',
    'nav.goals': 'Goals', 'nav.promotions': 'Promotions', 'nav.journeys': 'Journeys & broadcasts',
    'coming.badge': 'coming',
    'coming.text': 'The {page} page is coming. Its features are available through the API and the command line today.',
    'overview.title': 'Overview',
    'range.label': 'Date range',
    'range.7': 'Last 7 days', 'range.30': 'Last 30 days', 'range.90': 'Last 90 days', 'range.quarter': 'This quarter', 'range.custom': 'Custom',
    'range.from': 'From', 'range.to': 'To', 'range.apply': 'Apply',
    'range.note': '{from} to {to} ({tz}), against the previous period {pfrom} to {pto}; presets end on the last day with data ({end}).',
    'kpi.gmv': 'GMV', 'kpi.orders': 'Orders', 'kpi.buyers': 'Buyers', 'kpi.uv': 'Visitors (UV)', 'kpi.cvr': 'Conversion rate',
    'kpi.aov': 'Average order value', 'kpi.repurchase_rate': 'Repurchase rate', 'kpi.spend': 'Ad spend', 'kpi.roi': 'ROI', 'kpi.cac': 'CAC',
    'change.vs': 'vs previous period', 'change.none': 'no previous figure',
    'error.load': 'Could not load: ', 'error.noreports': 'This role may not read reports.',
    'loading': 'Loading…',
  },
};

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

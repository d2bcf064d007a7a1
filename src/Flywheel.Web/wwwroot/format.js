import { t } from './i18n.js';

// Numbers as the console shows them. The API gives money in major units with two decimals (KpiJson), rates as fractions.
const SYMBOLS = { CNY: '¥', GBP: '£', USD: '$', EUR: '€', HKD: 'HK$', JPY: '¥' };
const grouped = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const EMPTY = '—';

/** ¥1,234,567.89 (the store's currency symbol, thousands separators, two decimals). */
export function money(value, currency = 'CNY') {
  if (value === null || value === undefined) return EMPTY;
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  return (value < 0 ? '-' : '') + symbol + grouped.format(Math.abs(value));
}

export function count(value) {
  return value === null || value === undefined ? EMPTY : integer.format(value);
}

/** A fraction as a percentage with two decimals: 0.0312 -> 3.12%. */
export function percent(value) {
  return value === null || value === undefined ? EMPTY : `${(value * 100).toFixed(2)}%`;
}

/** A ratio such as ROI with two decimals: 3.2 -> 3.20. */
export function ratio(value) {
  return value === null || value === undefined ? EMPTY : value.toFixed(2);
}

/** A relative change as a signed percentage with one decimal: +12.5%, -3.0%. */
export function change(relative) {
  if (relative === null || relative === undefined) return null;
  const text = `${(Math.abs(relative) * 100).toFixed(1)}%`;
  return relative > 0 ? `+${text}` : relative < 0 ? `-${text}` : text;
}

/** Seconds in the largest sensible unit, in the page's language: 45 秒, 12.0 分钟, 3.5 小时, 2.1 天. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return EMPTY;
  if (seconds < 60) return t('duration.s', { n: Math.round(seconds) });
  if (seconds < 3600) return t('duration.m', { n: (seconds / 60).toFixed(1) });
  if (seconds < 86400) return t('duration.h', { n: (seconds / 3600).toFixed(1) });
  return t('duration.d', { n: (seconds / 86400).toFixed(1) });
}

/** A value by its kind: money, percent, ratio, count, duration, or text as given (— when missing). */
export function show(kind, value, currency = 'CNY') {
  switch (kind) {
    case 'money': return money(value, currency);
    case 'percent': return percent(value);
    case 'ratio': return ratio(value);
    case 'count': return count(value);
    case 'duration': return duration(value);
    default: return value === null || value === undefined || value === '' ? EMPTY : String(value);
  }
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Money on a chart axis: ¥1.2M, ¥350K. */
export function compactMoney(value, currency = 'CNY') {
  if (value === null || value === undefined) return EMPTY;
  return (value < 0 ? '-' : '') + (SYMBOLS[currency] ?? `${currency} `) + compact.format(Math.abs(value));
}

// The console's shell: sign-in, the navigation (only what the signed-in role may use), the language toggle and a page per hash route.
import { t, language, setLanguage, addStrings } from './i18n.js';
import * as api from './api.js';
import { el } from './dom.js';

// Pages in navigation order. `needs` is the permission the page reads with; `load` imports the page's module, which exports
// render(main, session) and may export strings ({zh, en}) for i18n. A page without `load` is not built yet and shows as coming.
const PAGES = [
  { id: 'overview', needs: 'reports:read', load: () => import('./overview.js') },
  { id: 'channels', needs: 'reports:read', load: () => import('./channels.js') },
  { id: 'funnel', needs: 'reports:read', load: () => import('./funnel.js') },
  { id: 'cohorts', needs: 'reports:read', load: () => import('./cohorts.js') },
  { id: 'customers', needs: 'customers:read', load: () => import('./customers.js') },
  { id: 'goals', needs: 'reports:read', load: () => import('./goals.js') },
  { id: 'promotions', needs: 'reports:read', load: () => import('./promotions.js') },
  { id: 'journeys', needs: 'reports:read', load: () => import('./journeys.js') },
  { id: 'matrix', needs: 'reports:read', load: () => import('./matrix.js') },
  { id: 'creators', needs: 'reports:read', load: () => import('./creators.js') },
  { id: 'content', needs: 'reports:read', load: () => import('./content.js') },
  { id: 'experiments', needs: 'reports:read', load: () => import('./experiments.js') },
];
const loaded = new Map();

/** The page's module, imported once; its strings join the dictionaries on first load. */
async function pageModule(page) {
  if (!loaded.has(page.id)) {
    const module = await page.load();
    if (module.strings) addStrings(module.strings);
    loaded.set(page.id, module);
  }
  return loaded.get(page.id);
}

let session = null;

const $ = (id) => document.getElementById(id);


function allowed(page) {
  return session?.permissions?.includes(page.needs) ?? false;
}

function currentPage() {
  // #/customers?segment=x and #/customers/ID are both the Customers page: the page reads the rest itself.
  const id = location.hash.replace(/^#\/?/, '').split(/[?/]/)[0] || 'overview';
  return PAGES.find((p) => p.id === id && allowed(p)) ?? PAGES.find(allowed) ?? null;
}

function renderChrome() {
  document.documentElement.lang = language() === 'en' ? 'en' : 'zh-CN';
  document.title = session ? `Flywheel · ${t('nav.' + (currentPage()?.id ?? 'overview'))}` : `Flywheel · ${t('signin.title')}`;
  const lang = $('lang');
  lang.textContent = t('lang.toggle');
  lang.setAttribute('aria-label', t('lang.toggle.label'));
  lang.setAttribute('lang', language() === 'en' ? 'zh-CN' : 'en');
  const signout = $('signout');
  signout.hidden = !session;
  signout.textContent = t('signout');
  $('who').textContent = session ? t('who', { name: session.name, role: t('role.' + session.role) }) : '';

  const nav = $('nav');
  nav.hidden = !session;
  nav.setAttribute('aria-label', t('nav.label'));
  const page = currentPage();
  const items = PAGES.filter(allowed).map((p) =>
    el('li', {},
      el('a', { href: `#/${p.id}`, 'data-page': p.id, 'aria-current': p === page ? 'page' : false },
        t('nav.' + p.id),
        p.load ? null : el('span', { class: 'badge', text: t('coming.badge') }))));
  nav.replaceChildren(el('ul', {}, items));
}

function renderSignIn(message) {
  const main = $('main');
  const input = el('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'key-hint' });
  const error = el('p', { id: 'signin-error', class: 'error', role: 'alert' });
  if (message) error.textContent = message;
  const form = el('form', { id: 'signin', class: 'signin', novalidate: true },
    el('h1', { text: t('signin.title') }),
    el('label', { for: 'key', text: t('signin.key') }),
    input,
    el('p', { id: 'key-hint', class: 'hint', text: t('signin.hint') }),
    el('button', { type: 'submit', text: t('signin.submit') }),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      session = await api.signIn(input.value.trim());
      input.value = '';
      await route();
    } catch (e) {
      // A refused key is said in the page's language; anything else (the server unreachable) with the error it gave.
      error.textContent = t('signin.failed') + (e instanceof api.ApiError && e.status === 401 ? t('signin.invalid') : e.message);
    }
  });
  main.replaceChildren(form);
  input.focus();
}

function renderComing(page) {
  const name = t('nav.' + page.id);
  $('main').replaceChildren(el('section', { class: 'coming', 'data-page': page.id },
    el('h1', {}, name, ' ', el('span', { class: 'badge', text: t('coming.badge') })),
    el('p', { text: t('coming.text', { page: name }) })));
}

async function route() {
  renderChrome();
  if (!session) {
    renderSignIn();
    return;
  }
  const page = currentPage();
  if (!page) {
    $('main').replaceChildren(el('p', { class: 'error', text: t('error.noreports') }));
    return;
  }
  if (!page.load) {
    renderComing(page);
    return;
  }
  try {
    await (await pageModule(page)).render($('main'), session);
  } catch (e) {
    $('main').replaceChildren(el('p', { class: 'error', role: 'alert', text: t('error.load') + e.message }));
  }
}

async function start() {
  $('lang').addEventListener('click', async () => {
    setLanguage(language() === 'en' ? 'zh' : 'en');
    await route();
    $('lang').focus();
  });
  $('signout').addEventListener('click', async () => {
    try {
      await api.signOut();
    } finally {
      // Signed out or not reachable: the page forgets the session either way (the cookie ends with its hours).
      session = null;
      location.hash = '';
      await route();
    }
  });
  window.addEventListener('hashchange', route);
  // The skip link moves focus to the content; followed as a link, its #main would be taken for a route (and open the overview).
  document.querySelector('a.skip').addEventListener('click', (event) => {
    event.preventDefault();
    $('main').focus();
  });
  try {
    session = await api.currentSession();
  } catch (e) {
    session = null;
    renderChrome();
    renderSignIn(t('error.load') + e.message);
    return;
  }
  await route();
}

start();

// The field app's entry: the router (hash routes, so one cached shell answers every screen offline), the
// sign-in guard and the service worker.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { requestPersistence } from './outbox.js';
import { SignIn, Setup, TotpEnrolment } from './screens/signin.js';
import { navigated, startApp, t, useAppState } from './state.js';
import { Header, html } from './ui.js';

// Sign-in screens come with the shell; every other screen is loaded when first opened (the service worker
// keeps them all for offline use). On a slow network that is what makes the sign-in form usable early.
const home = () => import('./screens/home.js');
const forms = () => import('./screens/forms.js');
const lab = () => import('./screens/lab.js');

/** Route patterns → [module loader, export]; `:name` parts become props. */
const ROUTES = [
  ['/', home, 'Home'],
  ['/signin', null, SignIn],
  ['/setup', null, Setup],
  ['/totp', null, TotpEnrolment],
  ['/outbox', () => import('./screens/outbox.js'), 'Outbox'],
  ['/shipments', () => import('./screens/shipments.js'), 'Shipments'],
  ['/new/site', forms, 'NewSite'],
  ['/new/seed', forms, 'CommissionSeed'],
  ['/merge', forms, 'Merge'],
  ['/lab', lab, 'LabLots'],
  ['/lab/:id/report', lab, 'LabReport'],
  ['/lot/:id', () => import('./screens/lot.js'), 'LotPage'],
  ['/lot/:id/plant', forms, 'Planting'],
  ['/lot/:id/harvest', forms, 'Harvest'],
  ['/lot/:id/input', forms, 'AgroInput'],
  ['/lot/:id/process', forms, 'Processing'],
  ['/lot/:id/split', forms, 'Split'],
  ['/lot/:id/ship', forms, 'Ship'],
  ['/lot/:id/status', forms, 'StatusChange'],
  ['/lot/:id/codes', () => import('./screens/labels.js'), 'Labels'],
];
const PUBLIC = new Set(['/signin', '/setup']);

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, load, screen] of ROUTES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const props = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((props[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) return { load, screen, props, pattern };
  }
  return null;
}

/**
 * The screen's component once its module is loaded (at once for the sign-in screens). Nothing is loaded while
 * the sign-in form stands in for the screen (`wanted` false): on a slow phone that download and its evaluation
 * would compete with the person's first keystrokes, and the screen may never be needed.
 */
function useScreen(found, wanted) {
  const [loaded, setLoaded] = useState({});
  const key = found && found.load && wanted ? found.pattern : null;
  useEffect(() => {
    if (!key || loaded[key]) return;
    void found.load().then((module) => setLoaded((l) => ({ ...l, [key]: module[found.screen] })));
  }, [key]);
  if (!found) return null;
  return found.load ? loaded[key] || null : found.screen;
}

const currentPath = () => location.hash.replace(/^#/, '') || '/';

function App() {
  const app = useAppState();
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onHash = () => {
      navigated(location.hash);
      setPath(currentPath());
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = app.lang;
  }, [app.lang]);
  const [route, query] = path.split('?');
  const found = match(route);
  const Screen = useScreen(found, !!app.session || (found !== null && PUBLIC.has(found.pattern)));
  if (!found) return html`<${Header} title=${t('notFound')} back="#/" /><main><p>${t('notFound')}</p></main>`;
  if (!app.session && !PUBLIC.has(found.pattern)) return html`<${SignIn} />`;
  if (app.session && app.session.twoFactorEnrolmentRequired && found.pattern !== '/totp') return html`<${TotpEnrolment} />`;
  if (!Screen) return html`<p class="boot">${t('loading')}</p>`;
  return html`${app.sessionEnded ? html`<p class="banner error" role="alert">${t('sessionEnded')} <a href="#/signin">${t('signIn')}</a></p>` : null}
    <${Screen} key=${path} ...${found.props} fix=${new URLSearchParams(query || '').get('fix') || undefined} />`;
}

// The worker precaches the whole app: registered once the page has loaded, so that its downloads do not
// compete with the first screen's on a slow network.
window.addEventListener('load', () => {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {
      /* the app works online without it */
    });
  }
  void requestPersistence();
});
render(html`<${App} />`, document.getElementById('root'));
void startApp();

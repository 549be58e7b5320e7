// The field app's entry: the router (hash routes, so one cached shell answers every screen offline), the
// sign-in guard and the service worker.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { requestPersistence } from './outbox.js';
import { Home } from './screens/home.js';
import { LabLots, LabReport } from './screens/lab.js';
import { Labels } from './screens/labels.js';
import { LotPage } from './screens/lot.js';
import { CommissionSeed, Harvest, AgroInput, Merge, NewSite, Planting, Processing, Ship, Split, StatusChange } from './screens/forms.js';
import { Outbox } from './screens/outbox.js';
import { Shipments } from './screens/shipments.js';
import { SignIn, Setup, TotpEnrolment } from './screens/signin.js';
import { startApp, t, useAppState } from './state.js';
import { Header, html } from './ui.js';

/** Route patterns → screens; `:name` parts become props. */
const ROUTES = [
  ['/', Home],
  ['/signin', SignIn],
  ['/setup', Setup],
  ['/totp', TotpEnrolment],
  ['/outbox', Outbox],
  ['/shipments', Shipments],
  ['/new/site', NewSite],
  ['/new/seed', CommissionSeed],
  ['/merge', Merge],
  ['/lab', LabLots],
  ['/lab/:id/report', LabReport],
  ['/lot/:id', LotPage],
  ['/lot/:id/plant', Planting],
  ['/lot/:id/harvest', Harvest],
  ['/lot/:id/input', AgroInput],
  ['/lot/:id/process', Processing],
  ['/lot/:id/split', Split],
  ['/lot/:id/ship', Ship],
  ['/lot/:id/status', StatusChange],
  ['/lot/:id/codes', Labels],
];
const PUBLIC = new Set(['/signin', '/setup']);

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, screen] of ROUTES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const props = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((props[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) return { screen, props, pattern };
  }
  return null;
}

const currentPath = () => location.hash.replace(/^#/, '') || '/';

function App() {
  const app = useAppState();
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onHash = () => {
      setPath(currentPath());
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = app.lang;
  }, [app.lang]);
  if (!app.sessionChecked) return html`<p class="boot">${t('loading')}</p>`;
  const [route, query] = path.split('?');
  const found = match(route);
  if (!found) return html`<${Header} title=${t('notFound')} back="#/" /><main><p>${t('notFound')}</p></main>`;
  if (!app.session && !PUBLIC.has(found.pattern)) return html`<${SignIn} />`;
  if (app.session && app.session.twoFactorEnrolmentRequired && found.pattern !== '/totp') return html`<${TotpEnrolment} />`;
  const Screen = found.screen;
  return html`${app.sessionEnded ? html`<p class="banner error" role="alert">${t('sessionEnded')} <a href="#/signin">${t('signIn')}</a></p>` : null}
    <${Screen} key=${path} ...${found.props} fix=${new URLSearchParams(query || '').get('fix') || undefined} />`;
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {
    /* the app works online without it */
  });
}
void requestPersistence();
render(html`<${App} />`, document.getElementById('root'));
void startApp();

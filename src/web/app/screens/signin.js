// Sign in, first-time setup (setup code → password) and two-factor enrolment where the role needs it.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, NetworkError } from '../api.js';
import { explain } from '../explain.js';
import { setSession, syncNow, t } from '../state.js';
import { Checkbox, Field, Header, html, useForm } from '../ui.js';

/** Owners and regulators may not keep a phone signed in: the server says so, and the app signs in for this visit only. */
const deviceRefused = (error) => error instanceof ApiError && error.problem && /device-session-not-allowed$/.test(error.problem.type || '');

async function withoutRememberIfRefused(send, body) {
  try {
    return await send(body);
  } catch (error) {
    if (body.remember && deviceRefused(error)) return send({ ...body, remember: false });
    throw error;
  }
}

function problemText(error) {
  if (error instanceof NetworkError) return t('offline');
  if (error instanceof ApiError) return explain(error.problem);
  return String(error);
}

export function SignIn() {
  const form = useForm({ login: '', password: '', totp: '', remember: true });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [needTotp, setNeedTotp] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.validate({ login: { required: true, maxLength: 64 }, password: { required: true, maxLength: 128 } })) return;
    setBusy(true);
    setProblem(null);
    try {
      const body = { login: form.values.login.trim(), password: form.values.password, remember: !!form.values.remember };
      if (form.values.totp.trim()) body.totp = form.values.totp.trim();
      setSession(await withoutRememberIfRefused((b) => api('POST', '/v1/auth/login', b), body));
      location.hash = '#/';
      void syncNow(true);
    } catch (error) {
      if (error instanceof ApiError && /totp/i.test(JSON.stringify(error.problem))) setNeedTotp(true);
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Header} title=${t('signIn')} />
    <main>
      <form onSubmit=${submit} novalidate>
        <${Field} form=${form} name="login" text=${t('login')} />
        <${Field} form=${form} name="password" text=${t('password')} kind="password" />
        ${needTotp ? html`<${Field} form=${form} name="totp" text=${t('totp')} kind="one-time-code" />` : null}
        <${Checkbox} form=${form} name="remember" text=${t('remember')} />
        ${problem ? html`<p class="banner error" role="alert">${problem}</p>` : null}
        <button class="primary" type="submit" disabled=${busy}>${t('signIn')}</button>
      </form>
      <a class="button" href="#/setup">${t('firstTime')}</a>
    </main>`;
}

export function Setup() {
  const form = useForm({ login: '', setupCode: '', password: '', password2: '', remember: true });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const ok = form.validate({
      login: { required: true, maxLength: 64 },
      setupCode: { required: true, maxLength: 64 },
      password: { required: true, maxLength: 128 },
      password2: { required: true, maxLength: 128 },
    });
    if (!ok) return;
    if (form.values.password !== form.values.password2) {
      form.setErrors({ password2: t('passwordsDiffer') });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const signedIn = await withoutRememberIfRefused((b) => api('POST', '/v1/auth/setup', b), {
        login: form.values.login.trim(),
        setupCode: form.values.setupCode.trim(),
        password: form.values.password,
        remember: !!form.values.remember,
      });
      setSession(signedIn);
      location.hash = signedIn.twoFactorEnrolmentRequired ? '#/totp' : '#/';
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Header} title=${t('firstTime')} back="#/signin" />
    <main>
      <form onSubmit=${submit} novalidate>
        <${Field} form=${form} name="login" text=${t('login')} />
        <${Field} form=${form} name="setupCode" text=${t('setupCode')} />
        <${Field} form=${form} name="password" text=${t('newPassword')} kind="new-password" />
        <${Field} form=${form} name="password2" text=${t('confirmPassword')} kind="new-password" />
        <${Checkbox} form=${form} name="remember" text=${t('remember')} />
        ${problem ? html`<p class="banner error" role="alert">${problem}</p>` : null}
        <button class="primary" type="submit" disabled=${busy}>${t('setUp')}</button>
      </form>
    </main>`;
}

/** TOTP enrolment: the QR code of the seed, the code typed back, then the recovery codes shown once. */
export function TotpEnrolment() {
  const [enrolment, setEnrolment] = useState(null);
  const [codes, setCodes] = useState(null);
  const [problem, setProblem] = useState(null);
  const form = useForm({ code: '' });
  const start = async () => {
    try {
      setEnrolment(await api('POST', '/v1/auth/totp', {}));
    } catch (error) {
      setProblem(problemText(error));
    }
  };
  useEffect(() => {
    void start();
  }, []);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.validate({ code: { required: true, maxLength: 16, pattern: /^\d{6}$/ } })) return;
    try {
      const confirmed = await api('POST', '/v1/auth/totp/confirm', { code: form.values.code.trim() });
      setSession(confirmed.signedIn);
      setCodes(confirmed.recoveryCodes);
    } catch (error) {
      setProblem(problemText(error));
    }
  };
  if (codes) {
    return html`<${Header} title=${t('totpEnrol')} />
      <main>
        <h2>${t('recoveryCodes')}</h2>
        <ul class="card" data-testid="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
        <a class="button" href="#/">${t('continue')}</a>
      </main>`;
  }
  return html`<${Header} title=${t('totpEnrol')} />
    <main>
      <p>${t('totpScan')}</p>
      ${enrolment
        ? html`<div class="card" style="text-align:center">
            <img alt="TOTP QR" width="220" height="220" src=${`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`} />
            <p class="small">${t('totpSecret')}: <code>${enrolment.secret}</code></p>
          </div>`
        : html`<p class="muted">${t('loading')}</p>`}
      <form onSubmit=${submit} novalidate>
        <${Field} form=${form} name="code" text=${t('totp')} kind="one-time-code" />
        ${problem ? html`<p class="banner error" role="alert">${problem}</p>` : null}
        <button class="primary" type="submit">${t('confirm')}</button>
      </form>
    </main>`;
}

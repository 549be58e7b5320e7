// How the field app's files are served (no browser): the app's modules bundled in memory (the sign-in screen
// needs the shell and a few modules, all preloaded at once) under content-hashed, immutable URLs; a CSP with
// no inline script at all; nothing of the source tree or node_modules reachable by a crafted path; compressed
// answers negotiated and validated per encoding; the service worker carries its version and the shell's list.
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { chooseEncoding } from '../src/modules/webapp/webapp.routes.js';
import { setupApp } from './support/app.js';

const BR = { 'accept-encoding': 'gzip, deflate, br, zstd' };
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The shell's entry module and preloads, as the shell names them. */
function startUp(html: string) {
  const entry = /<script type="module" src="([^"]+)"><\/script>/.exec(html)?.[1];
  const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]!);
  return { entry, preloads };
}

t.test('the shell: a CSP with no inline script, the entry module and its imports preloaded, no-cache with a validator', async (t) => {
  const { app } = await setupApp(t);
  const res = await app.inject({ method: 'GET', url: '/app/' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.equal(res.headers['cache-control'], 'no-cache');
  t.ok(res.headers.etag, 'an ETag');
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /(^|; )script-src 'self'(;|$)/, "scripts from this origin only, no hash or nonce needed");
  t.notMatch(csp, 'unsafe-inline');
  t.notMatch(csp, 'unsafe-eval');
  t.notMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the shell');
  t.notMatch(res.body, 'importmap', 'no import map: the bundles import each other by relative URL');

  const { entry, preloads } = startUp(res.body);
  t.match(entry, /^\/app\/build\/main-[A-Z0-9]+\.js$/, 'the entry module, content-hashed');
  t.ok(preloads.length >= 1 && preloads.length <= 4, `the sign-in screen needs the shell and ${1 + preloads.length} modules (at most 5: one round of requests on six connections)`);
  const startUpCode: string[] = [];
  for (const url of [entry!, ...preloads]) {
    const module = await app.inject({ method: 'GET', url });
    t.equal(module.statusCode, 200, `${url} is served`);
    t.equal(module.headers['cache-control'], IMMUTABLE, `${url} is immutable`);
    t.match(module.headers['content-type'], /^text\/javascript/);
    startUpCode.push(module.body);
  }
  const code = startUpCode.join('\n');
  t.match(code, '完成设置', 'the first-time setup screen is in the start-up modules');
  t.match(code, 'herbtrace', "the outbox (its IndexedDB database's name) too");
  t.notMatch(code, 'input-lot', 'the forms are not: they are loaded when first opened');
  t.notMatch(code, 'label-cell', 'nor the label sheet');

  t.equal((await app.inject({ method: 'GET', url: '/app/', headers: { 'if-none-match': res.headers.etag as string } })).statusCode, 304, 'revalidated with its ETag');
  const redirect = await app.inject({ method: 'GET', url: '/app' });
  t.equal(redirect.statusCode, 301);
  t.equal(redirect.headers.location, '/app/');
});

t.test('the bundles: built from the app and the installed libraries, importing each other by relative URL; nothing else is reachable', async (t) => {
  const { app } = await setupApp(t);
  const worker = await app.inject({ method: 'GET', url: '/app/sw.js' });
  const shell = JSON.parse(/^const SHELL = (\[.*\]);$/m.exec(worker.body)?.[1] ?? '[]') as string[];
  const bundles = shell.filter((url) => url.startsWith('/app/build/'));
  t.ok(bundles.length >= 5, 'the entry, the shared modules and the screens loaded on first use');
  let all = '';
  for (const url of bundles) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, `${url}`);
    t.equal(res.headers['cache-control'], IMMUTABLE);
    const specifiers = [...res.body.matchAll(/(?:\bfrom|\bimport\(?)\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    t.ok(specifiers.every((s) => /^\.\/(chunk|main)-[A-Z0-9]+\.js$/.test(s)), `${url}: every import is another bundle (${specifiers.join(' ') || 'none'})`);
    const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(res.body)?.[1];
    t.ok(map, `${url}: names its source map`);
    const sourceMap = await app.inject({ method: 'GET', url: new URL(map!, `http://x${url}`).pathname });
    t.equal(sourceMap.statusCode, 200, 'the source map is served');
    all += res.body;
  }
  t.match(all, 'input-lot', 'the forms are in a bundle');
  t.match(all, 'label-cell', 'the label sheet too');
  t.match(all, '有效期至', 'and the shared vocabulary');

  const missing = [
    '/app/main.js', // the sources are bundled, not served
    '/app/state.js',
    '/app/screens/forms.js',
    '/app/lib/vocabulary.js',
    '/app/lib/vocabulary.d.ts',
    '/app/index.html',
    '/app/screens/',
    '/app/build/',
    '/app/build/main-AAAAAAAA.js',
    '/app/vendor/preact@10.0.0/dist/preact.mjs',
    '/app/../package.json',
    '/app/..%2f..%2fpackage.json',
    '/app/%2e%2e/%2e%2e/src/config.ts',
    '/app/build/../../package.json',
    '/app/build/%2e%2e/%2e%2e/src/config.ts',
    '/app/build/..%2f..%2fsrc%2fconfig.ts',
    '/app/lib/../../modules/webapp/webapp.assets.ts',
    '/app/node_modules/preact/package.json',
  ];
  for (const path of missing) t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 404, `${path}: 404`);
});

t.test('compression: negotiated, validated per encoding, identity for clients that ask none', async (t) => {
  const { app } = await setupApp(t);
  const { preloads } = startUp((await app.inject({ method: 'GET', url: '/app/' })).body);
  // The largest start-up module: the libraries and the vocabulary.
  const sizes = await Promise.all(preloads.map(async (url) => [url, (await app.inject({ method: 'GET', url })).rawPayload.length] as const));
  const url = sizes.sort((a, b) => b[1] - a[1])[0]![0];
  const plain = await app.inject({ method: 'GET', url });
  const original = plain.rawPayload;
  t.notOk(plain.headers['content-encoding'], 'no Accept-Encoding: sent as it is');
  t.equal(plain.headers.vary, 'accept-encoding');

  const br = await app.inject({ method: 'GET', url, headers: BR });
  t.equal(br.headers['content-encoding'], 'br');
  t.equal(br.headers.vary, 'accept-encoding');
  t.equal(br.headers['cache-control'], IMMUTABLE);
  t.same(brotliDecompressSync(br.rawPayload), original, 'decodes to the file');
  t.ok(br.rawPayload.length < original.length / 2, 'much smaller');
  t.not(br.headers.etag, plain.headers.etag, 'each encoding its own validator');

  const gz = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.same(gunzipSync(gz.rawPayload), original);

  const again = await app.inject({ method: 'GET', url, headers: { ...BR, 'if-none-match': br.headers.etag as string } });
  t.equal(again.statusCode, 304);
  t.equal(again.rawPayload.length, 0);
  t.equal(again.headers.etag, br.headers.etag);
  // A validator of another encoding does not match: the client would keep bytes it cannot use.
  t.equal((await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip', 'if-none-match': br.headers.etag as string } })).statusCode, 200);

  const css = await app.inject({ method: 'GET', url: '/app/app.css', headers: BR });
  t.equal(css.headers['content-encoding'], 'br');
  t.equal(css.headers['cache-control'], 'no-cache', 'the styles keep their name: revalidated');
  t.same(brotliDecompressSync(css.rawPayload), readFileSync(new URL('../src/web/app/app.css', import.meta.url)), 'the file as it is');
  const shell = await app.inject({ method: 'GET', url: '/app/', headers: BR });
  t.equal(shell.headers['content-encoding'], 'br');
  t.match(brotliDecompressSync(shell.rawPayload).toString(), '<script type="module" src="/app/build/main-');
  t.ok(shell.headers['content-security-policy'], 'the CSP on the compressed shell too');

  t.equal(chooseEncoding(undefined), 'identity');
  t.equal(chooseEncoding('gzip, deflate'), 'gzip');
  t.equal(chooseEncoding('br;q=0, gzip;q=0.5'), 'gzip');
  t.equal(chooseEncoding('br;q=0, gzip;q=0'), 'identity');
  t.equal(chooseEncoding('*'), 'br');
  t.equal(chooseEncoding('identity'), 'identity');
});

t.test('the service worker: its version and the shell it caches', async (t) => {
  const { app } = await setupApp(t);
  const res = await app.inject({ method: 'GET', url: '/app/sw.js' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/javascript/);
  t.equal(res.headers['cache-control'], 'no-cache', 'the browser checks for a new worker on every update check');
  t.equal(res.headers['service-worker-allowed'], '/app/');
  t.ok(res.headers.etag, 'an update check with no new release is a 304');
  t.equal((await app.inject({ method: 'GET', url: '/app/sw.js', headers: { 'if-none-match': res.headers.etag as string } })).statusCode, 304);
  const version = /^const VERSION = "([0-9a-f]{16})";$/m.exec(res.body)?.[1];
  t.ok(version, 'the release version');
  const shell = JSON.parse(/^const SHELL = (\[.*\]);$/m.exec(res.body)?.[1] ?? '[]') as string[];
  const { entry, preloads } = startUp((await app.inject({ method: 'GET', url: '/app/' })).body);
  for (const url of ['/app/', entry!, ...preloads, '/app/app.css', '/app/icon.svg', '/app/manifest.webmanifest']) t.ok(shell.includes(url), `${url} is cached at install`);
  t.ok(shell.filter((url) => url.startsWith('/app/build/')).length > 1 + preloads.length, 'the screens loaded on first use too (offline, they come from the cache)');
  t.notOk(shell.includes('/app/sw.js'), 'not the worker itself');
  t.notOk(shell.some((url) => url.endsWith('.map')), 'not the source maps');
  for (const url of shell) t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is served (cache.addAll fails on any miss)`);
  t.match(res.body, "addEventListener('install'", 'the worker itself follows');
});

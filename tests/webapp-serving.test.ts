// How the field app's files are served (no browser): the shell's CSP allows its import map by hash and
// preloads the modules main.js needs; libraries at versioned URLs are immutable and only the files the app
// imports are there; nothing outside is reachable by a crafted path; compressed answers are negotiated and
// validated per encoding; the service worker carries its version and the shell's file list.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { chooseEncoding } from '../src/modules/webapp/webapp.routes.js';
import { setupApp } from './support/app.js';

const preact = JSON.parse(readFileSync(new URL('../node_modules/preact/package.json', import.meta.url), 'utf8')).version as string;
const BR = { 'accept-encoding': 'gzip, deflate, br, zstd' };

t.test('the shell: CSP with the import map hash, module preloads, no-cache with a validator', async (t) => {
  const { app } = await setupApp(t);
  const res = await app.inject({ method: 'GET', url: '/app/' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.equal(res.headers['cache-control'], 'no-cache');
  t.ok(res.headers.etag, 'an ETag');
  const importMap = /<script type="importmap">(.*?)<\/script>/.exec(res.body)?.[1];
  t.ok(importMap, 'the import map is in the shell');
  const hash = `'sha256-${createHash('sha256').update(importMap!).digest('base64')}'`;
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, `script-src 'self' ${hash}`, 'the CSP allows exactly that inline script');
  t.notMatch(csp, 'unsafe-inline');
  t.equal(JSON.parse(importMap!).imports.preact, `/app/vendor/preact@${preact}/dist/preact.mjs`);

  const preloads = [...res.body.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]!);
  for (const url of ['/app/state.js', '/app/screens/signin.js', '/app/lib/vocabulary.js', `/app/vendor/preact@${preact}/dist/preact.mjs`, `/app/vendor/preact@${preact}/hooks/dist/hooks.mjs`]) {
    t.ok(preloads.includes(url), `${url} is preloaded`);
  }
  t.ok(res.body.indexOf('type="importmap"') < res.body.indexOf('rel="modulepreload"'), 'the import map comes before the first module fetch');
  for (const url of preloads) t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is served`);

  t.equal((await app.inject({ method: 'GET', url: '/app/', headers: { 'if-none-match': res.headers.etag as string } })).statusCode, 304, 'revalidated with its ETag');
  const redirect = await app.inject({ method: 'GET', url: '/app' });
  t.equal(redirect.statusCode, 301);
  t.equal(redirect.headers.location, '/app/');
});

t.test('libraries: versioned URLs immutable; other files, versions and paths are 404', async (t) => {
  const { app } = await setupApp(t);
  const url = `/app/vendor/preact@${preact}/dist/preact.mjs`;
  const res = await app.inject({ method: 'GET', url });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.match(res.headers['content-type'], /^text\/javascript/);
  t.equal(res.body, readFileSync(new URL('../node_modules/preact/dist/preact.mjs', import.meta.url), 'utf8'), 'the installed file, as it is');

  const missing = [
    `/app/vendor/preact@${preact}/package.json`, // in the package, but not a file the app imports
    `/app/vendor/preact@${preact}/dist/preact.js`,
    '/app/vendor/preact@0.0.1/dist/preact.mjs', // another version
    '/app/vendor/preact/dist/preact.mjs',
    '/app/vendor/left-pad@1.0.0/index.js',
    `/app/vendor/preact@${preact}/../../package.json`,
    `/app/vendor/preact@${preact}/dist/../../../package.json`,
    `/app/vendor/preact@${preact}/%2e%2e/%2e%2e/package.json`,
    `/app/vendor/preact@${preact}/..%2f..%2fpackage.json`,
    '/app/../package.json',
    '/app/..%2f..%2fpackage.json',
    '/app/%2e%2e/%2e%2e/src/config.ts',
    '/app/lib/../../modules/webapp/webapp.assets.ts',
    '/app/lib/vocabulary.d.ts',
    '/app/index.html',
    '/app/screens/',
  ];
  for (const path of missing) t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 404, `${path}: 404`);
  // An app file is not served as if it were a library (and the other way round).
  t.equal((await app.inject({ method: 'GET', url: `/app/preact@${preact}/dist/preact.mjs` })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/app/vendor/main.js' })).statusCode, 404);
});

t.test('compression: negotiated, validated per encoding, identity for clients that ask none', async (t) => {
  const { app } = await setupApp(t);
  const original = readFileSync(new URL('../src/web/lib/vocabulary.js', import.meta.url));
  const plain = await app.inject({ method: 'GET', url: '/app/lib/vocabulary.js' });
  t.notOk(plain.headers['content-encoding'], 'no Accept-Encoding: sent as it is');
  t.same(plain.rawPayload, original);
  t.equal(plain.headers.vary, 'accept-encoding');

  const br = await app.inject({ method: 'GET', url: '/app/lib/vocabulary.js', headers: BR });
  t.equal(br.headers['content-encoding'], 'br');
  t.equal(br.headers.vary, 'accept-encoding');
  t.equal(br.headers['cache-control'], 'no-cache');
  t.same(brotliDecompressSync(br.rawPayload), original, 'decodes to the file');
  t.ok(br.rawPayload.length < original.length / 2, 'much smaller');
  t.not(br.headers.etag, plain.headers.etag, 'each encoding its own validator');

  const gz = await app.inject({ method: 'GET', url: '/app/lib/vocabulary.js', headers: { 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.same(gunzipSync(gz.rawPayload), original);

  const again = await app.inject({ method: 'GET', url: '/app/lib/vocabulary.js', headers: { ...BR, 'if-none-match': br.headers.etag as string } });
  t.equal(again.statusCode, 304);
  t.equal(again.rawPayload.length, 0);
  t.equal(again.headers.etag, br.headers.etag);
  // A validator of another encoding does not match: the client would keep bytes it cannot use.
  t.equal((await app.inject({ method: 'GET', url: '/app/lib/vocabulary.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': br.headers.etag as string } })).statusCode, 200);

  const lib = await app.inject({ method: 'GET', url: `/app/vendor/preact@${preact}/dist/preact.mjs`, headers: BR });
  t.equal(lib.headers['content-encoding'], 'br');
  t.equal(lib.headers['cache-control'], 'public, max-age=31536000, immutable');
  const shell = await app.inject({ method: 'GET', url: '/app/', headers: BR });
  t.equal(shell.headers['content-encoding'], 'br');
  t.match(brotliDecompressSync(shell.rawPayload).toString(), '<script type="importmap">');
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
  for (const url of ['/app/', '/app/main.js', '/app/app.css', '/app/screens/forms.js', '/app/lib/vocabulary.js', `/app/vendor/preact@${preact}/dist/preact.mjs`]) t.ok(shell.includes(url), `${url} is cached at install`);
  t.notOk(shell.includes('/app/sw.js'), 'not the worker itself');
  for (const url of shell) t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is served (cache.addAll fails on any miss)`);
  t.match(res.body, "addEventListener('install'", 'the worker itself follows');
});

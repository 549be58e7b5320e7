import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { build } from 'esbuild';

/**
 * What the web app is made of, built in memory once per process the first time the app is asked for: the
 * app's ES modules (src/web/app, with the vocabulary it shares with the server, src/web/lib) and the libraries
 * they import (preact, htm, idb, resolved from the installed npm packages, never copied into the project)
 * bundled by esbuild into ES modules split at the app's `import()`s, so the sign-in screen needs the shell and
 * three modules, not two dozen; the shell that names them; the service worker with the list of what it caches;
 * and a version that changes whenever any of it changes (the worker's cache name: a phone picks up a new
 * release and drops the old shell). Nothing is written to disk: `npm start` is the only step.
 *
 * Why a bundle: on a phone's slow network every request costs a round trip, and a browser opens at most six
 * connections to one HTTP/1.1 host, so two dozen modules arrive in waves (bench/README.md, "Field app").
 */

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const APP_ROOT = path.join(WEB_ROOT, 'app');
/** Where the bundles are served: content-hashed names, cached for a year. */
const BUILD_PREFIX = '/app/build/';
/** Files of src/web/app served as they are (the rest of it is bundled). */
const STATIC_FILES = ['app.css', 'icon.svg', 'manifest.webmanifest'];

/**
 * One file as the app serves it, held in memory: the bytes the version was computed from are the bytes
 * served (a file edited on disk afterwards is not served under the old version's name).
 */
export interface WebAsset {
  body: Buffer;
  type: string;
  /** Strong validator of the uncompressed bytes; each compressed form gets its own (`"…-br"`, `"…-gz"`). */
  etag: string;
  cacheControl: string;
}

export interface WebAssets {
  version: string;
  /** The entry module's URL (the shell's one module script). */
  entry: string;
  /** The modules the entry imports statically, which the shell preloads so that they come in one round. */
  preloads: string[];
  indexHtml: string;
  serviceWorker: string;
  /** Every URL the service worker caches at install: the shell works offline once it has been opened. */
  shellUrls: string[];
  /** Every URL under /app/ that is served, with what is served there. */
  files: Map<string, WebAsset>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
};
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

function asset(body: Buffer | Uint8Array | string, file: string, cacheControl: string): WebAsset {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return {
    body: bytes,
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`,
    cacheControl,
  };
}

/** The app's modules bundled, split at its `import()`s; a source error fails here, naming file and line. */
async function bundle() {
  const result = await build({
    absWorkingDir: WEB_ROOT,
    entryPoints: [path.join(APP_ROOT, 'main.js')],
    bundle: true,
    splitting: true,
    format: 'esm',
    // What a cheap Android phone's Chrome or WebView of the last years runs (ES modules, import(), ?? and ?.).
    target: 'es2020',
    minify: true,
    // Readable in a phone's remote DevTools: the map is fetched only when DevTools are open.
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outdir: path.join(WEB_ROOT, 'build'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    // The Chinese text as UTF-8 (3 bytes a character), not \u escapes (6).
    charset: 'utf8',
  });
  const urlOf = (file: string) => BUILD_PREFIX + path.relative(path.join(WEB_ROOT, 'build'), path.resolve(WEB_ROOT, file)).split(path.sep).join('/');
  const outputs = result.outputFiles.map((f) => ({ url: urlOf(f.path), contents: f.contents }));
  const [entryFile, entryMeta] = Object.entries(result.metafile.outputs).find(([, meta]) => meta.entryPoint !== undefined)!;
  return {
    outputs,
    entry: urlOf(entryFile),
    // The entry's static imports and theirs: all needed before it runs (the `import()`ed screens are not).
    preloads: staticClosure(result.metafile.outputs, entryFile, entryMeta).map(urlOf),
  };
}

type Metafile = NonNullable<Awaited<ReturnType<typeof build>>['metafile']>;
function staticClosure(outputs: Metafile['outputs'], entryFile: string, entryMeta: Metafile['outputs'][string]): string[] {
  const seen = new Set<string>([entryFile]);
  const queue = [entryMeta];
  const found: string[] = [];
  while (queue.length > 0) {
    for (const imported of queue.shift()!.imports) {
      if (imported.kind !== 'import-statement' || seen.has(imported.path)) continue;
      seen.add(imported.path);
      found.push(imported.path);
      queue.push(outputs[imported.path]!);
    }
  }
  return found;
}

async function buildWebAssets(): Promise<WebAssets> {
  const built = await bundle();
  const files = new Map<string, WebAsset>();
  for (const output of built.outputs) files.set(output.url, asset(output.contents, output.url, IMMUTABLE));
  for (const f of STATIC_FILES) files.set(`/app/${f}`, asset(readFileSync(path.join(APP_ROOT, f)), f, NO_CACHE));

  const indexHtml = readFileSync(path.join(APP_ROOT, 'index.html'), 'utf8')
    .replace('<!-- module preloads -->', built.preloads.map((url) => `<link rel="modulepreload" href="${url}">`).join('\n'))
    .replace('<!-- entry module -->', `<script type="module" src="${built.entry}"></script>`);
  const workerSource = readFileSync(path.join(APP_ROOT, 'sw.js'), 'utf8');
  const versionHash = createHash('sha256').update(indexHtml).update(workerSource);
  for (const [url, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) versionHash.update(url).update(file.etag);
  const version = versionHash.digest('hex').slice(0, 16);

  // The shell, the bundles (not their source maps) and the static files: what the app needs offline.
  const shellUrls = ['/app/', ...[...files.keys()].filter((url) => !url.endsWith('.map'))];
  // The worker's own bytes carry the version and the list: a new release is a new worker, which the browser
  // installs and which replaces the old cache.
  const serviceWorker = `const VERSION = ${JSON.stringify(version)};\nconst SHELL = ${JSON.stringify(shellUrls)};\n${workerSource}`;
  files.set('/app/', asset(indexHtml, 'index.html', NO_CACHE));
  files.set('/app/sw.js', asset(serviceWorker, 'sw.js', NO_CACHE));
  return { version, entry: built.entry, preloads: built.preloads, indexHtml, serviceWorker, shellUrls, files };
}

let webAssets: Promise<WebAssets> | undefined;
/**
 * The app as served, built on first use and kept for the process (the files do not change under a running
 * service; the many apps a test run builds share one build). The server builds it before it listens, so a
 * broken app fails the start, not a phone's first visit.
 */
export function loadWebAssets(): Promise<WebAssets> {
  webAssets ??= buildWebAssets().catch((err: unknown) => {
    webAssets = undefined;
    throw err;
  });
  return webAssets;
}

export type Encoding = 'br' | 'gzip' | 'identity';

// Compressed once per process and content (tests build many apps over the same files), off the event loop,
// on first request: start-up pays nothing, and brotli's best level costs a few hundred ms only once.
const compressed = new Map<string, Promise<Buffer>>();
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The file's bytes in an encoding; identity when compressing would not make it smaller. */
export async function encoded(file: WebAsset, encoding: Encoding): Promise<{ body: Buffer; encoding: Encoding; etag: string }> {
  if (encoding === 'identity') return { body: file.body, encoding, etag: file.etag };
  const key = `${file.etag}${encoding}`;
  let pending = compressed.get(key);
  if (!pending) {
    pending =
      encoding === 'br'
        ? brotli(file.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: file.body.length } })
        : gzipAsync(file.body, { level: 9 });
    compressed.set(key, pending);
  }
  const body = await pending;
  if (body.length >= file.body.length) return { body: file.body, encoding: 'identity', etag: file.etag };
  return { body, encoding, etag: `${file.etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"` };
}

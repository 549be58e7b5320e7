import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/**
 * What the web app is made of, read once at start-up: its own files under src/web (served as they are), the
 * browser builds of the libraries it imports (served from the installed npm packages, never copied into the
 * project), the import map that names them, and a version that changes whenever any of it changes (the
 * service worker's cache name, so a phone picks up a new release and drops the old shell).
 */

/** The libraries the app imports by bare name, and the file of each package that the browser loads. */
const LIBRARIES = [
  { specifier: 'preact', pkg: 'preact', file: 'dist/preact.mjs' },
  { specifier: 'preact/hooks', pkg: 'preact', file: 'hooks/dist/hooks.mjs' },
  { specifier: 'htm', pkg: 'htm', file: 'dist/htm.mjs' },
  { specifier: 'htm/preact', pkg: 'htm', file: 'preact/index.mjs' },
  { specifier: 'idb', pkg: 'idb', file: 'build/index.js' },
] as const;

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const require = createRequire(import.meta.url);

export interface VendorPackage {
  name: string;
  version: string;
  root: string;
  /** Files the browser may fetch from this package: the entry files and the modules they import. */
  files: Set<string>;
}

/**
 * One file as the app serves it, held in memory from start-up: the bytes the version was computed from are
 * the bytes served (a file edited on disk afterwards is not served under the old version's name).
 */
export interface WebAsset {
  body: Buffer;
  type: string;
  /** Strong validator of the uncompressed bytes; each compressed form gets its own (`"…-br"`, `"…-gz"`). */
  etag: string;
  cacheControl: string;
}

export interface WebAssets {
  webRoot: string;
  version: string;
  importMap: string;
  /** `sha256-…` of the import map, for the shell's Content-Security-Policy (no 'unsafe-inline'). */
  importMapHash: string;
  indexHtml: string;
  serviceWorker: string;
  vendor: Map<string, VendorPackage>;
  /** Every URL the service worker caches at install: the shell works offline once it has been opened. */
  shellUrls: string[];
  /** Every URL under /app/ that is served, with what is served there. */
  files: Map<string, WebAsset>;
  /** The modules main.js imports, directly or not, before it can run: the shell preloads them all at once. */
  preloads: string[];
}

function packageRoot(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package ${name} not found`);
    dir = up;
  }
  return dir;
}

/** The relative imports of an ES module (`from "./x.js"`), to serve what an entry file pulls in and no more. */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
}

function vendorPackages(): Map<string, VendorPackage> {
  const packages = new Map<string, VendorPackage>();
  for (const lib of LIBRARIES) {
    let entry = packages.get(lib.pkg);
    if (!entry) {
      const root = packageRoot(lib.pkg);
      const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
      entry = { name: lib.pkg, version, root, files: new Set() };
      packages.set(lib.pkg, entry);
    }
    const pending = [lib.file as string];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (entry.files.has(file)) continue;
      entry.files.add(file);
      const source = readFileSync(path.join(entry.root, file), 'utf8');
      for (const rel of relativeImports(source)) pending.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), rel)));
    }
  }
  return packages;
}

export const vendorUrl = (pkg: VendorPackage, file: string) => `/app/vendor/${pkg.name}@${pkg.version}/${file}`;

function appFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...appFiles(path.join(dir, entry.name), rel));
    else if (!entry.name.endsWith('.ts')) out.push(rel);
  }
  return out.sort();
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.png': 'image/png',
};
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

function asset(body: Buffer | string, file: string, cacheControl: string): WebAsset {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    body: bytes,
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`,
    cacheControl,
  };
}

/** Static imports of an ES module (relative and bare), not dynamic `import()`: what must load before it runs. */
function staticImports(source: string): string[] {
  return [...source.matchAll(/(?:^|[\s;})])(?:from|import)\s*["']([^"']+)["']/g)].map((m) => m[1]!);
}

/**
 * The static module graph from main.js, breadth first, as URLs. Preloading it from the shell turns a chain of
 * round trips (the shell, main.js, what main.js imports, what those import…) into one.
 */
function moduleGraph(files: Map<string, WebAsset>, imports: Record<string, string>, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let i = 0; i < queue.length; i++) {
    const url = queue[i]!;
    const file = files.get(url);
    if (!file || !file.type.startsWith('text/javascript')) continue;
    for (const specifier of staticImports(file.body.toString('utf8'))) {
      const resolved = /^\.{0,2}\//.test(specifier) ? new URL(specifier, `http://app${url}`).pathname : imports[specifier];
      if (!resolved || seen.has(resolved) || !files.has(resolved)) continue;
      seen.add(resolved);
      queue.push(resolved);
    }
  }
  return queue;
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

export function loadWebAssets(): WebAssets {
  const vendor = vendorPackages();
  const imports: Record<string, string> = {};
  for (const lib of LIBRARIES) imports[lib.specifier] = vendorUrl(vendor.get(lib.pkg)!, lib.file);
  const importMap = JSON.stringify({ imports });
  const importMapHash = `sha256-${createHash('sha256').update(importMap).digest('base64')}`;

  // Files of the app itself (src/web/app) and the modules it shares with the server (src/web/lib).
  const own = appFiles(WEB_ROOT).filter((f) => f !== 'app/index.html' && f !== 'app/sw.js');
  const versionHash = createHash('sha256').update(importMap);
  for (const f of own.concat(['app/index.html', 'app/sw.js'])) {
    versionHash.update(f).update(readFileSync(path.join(WEB_ROOT, f)));
  }
  const version = versionHash.digest('hex').slice(0, 16);

  const files = new Map<string, WebAsset>();
  const urlOf = (f: string) => (f.startsWith('app/') ? `/${f}` : `/app/${f}`);
  for (const f of own) {
    if (!statSync(path.join(WEB_ROOT, f)).isFile()) throw new Error(`web asset ${f} is not a file`);
    files.set(urlOf(f), asset(readFileSync(path.join(WEB_ROOT, f)), f, NO_CACHE));
  }
  for (const pkg of vendor.values()) for (const file of pkg.files) files.set(vendorUrl(pkg, file), asset(readFileSync(path.join(pkg.root, file)), file, IMMUTABLE));

  // Preloads after the import map: a module fetch that starts before the map is read would ignore it.
  // (main.js itself is the shell's module script.)
  const preloads = moduleGraph(files, imports, '/app/main.js').slice(1);
  const indexHtml = readFileSync(path.join(WEB_ROOT, 'app/index.html'), 'utf8')
    .replace('<!-- import map -->', `<script type="importmap">${importMap}</script>`)
    .replace('<!-- module preloads -->', preloads.map((url) => `<link rel="modulepreload" href="${url}">`).join('\n'));
  const shellUrls = [
    '/app/',
    ...own.map(urlOf),
    ...[...vendor.values()].flatMap((pkg) => [...pkg.files].map((file) => vendorUrl(pkg, file))),
  ];
  // The worker's own bytes carry the version and the list: a new release is a new worker, which the browser
  // installs and which replaces the old cache.
  const serviceWorker = `const VERSION = ${JSON.stringify(version)};\nconst SHELL = ${JSON.stringify(shellUrls)};\n${readFileSync(path.join(WEB_ROOT, 'app/sw.js'), 'utf8')}`;
  files.set('/app/', asset(indexHtml, 'index.html', NO_CACHE));
  files.set('/app/sw.js', asset(serviceWorker, 'sw.js', NO_CACHE));

  return { webRoot: WEB_ROOT, version, importMap, importMapHash, indexHtml, serviceWorker, vendor, shellUrls, files, preloads };
}

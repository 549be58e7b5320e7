import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

  const indexHtml = readFileSync(path.join(WEB_ROOT, 'app/index.html'), 'utf8').replace(
    '<!-- import map -->',
    `<script type="importmap">${importMap}</script>`,
  );
  const shellUrls = [
    '/app/',
    ...own.map((f) => (f.startsWith('app/') ? `/${f}` : `/app/${f}`)),
    ...[...vendor.values()].flatMap((pkg) => [...pkg.files].map((file) => vendorUrl(pkg, file))),
  ];
  // The worker's own bytes carry the version and the list: a new release is a new worker, which the browser
  // installs and which replaces the old cache.
  const serviceWorker = `const VERSION = ${JSON.stringify(version)};\nconst SHELL = ${JSON.stringify(shellUrls)};\n${readFileSync(path.join(WEB_ROOT, 'app/sw.js'), 'utf8')}`;

  for (const f of own) if (!statSync(path.join(WEB_ROOT, f)).isFile()) throw new Error(`web asset ${f} is not a file`);
  return { webRoot: WEB_ROOT, version, importMap, importMapHash, indexHtml, serviceWorker, vendor, shellUrls };
}

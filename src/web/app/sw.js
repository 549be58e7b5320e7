// The app's service worker (the server prepends VERSION and SHELL: the release and the files of the shell).
// - The shell (HTML, the app's modules, styles, the libraries) is cached at install and served from the
//   cache: the app opens without a network once visited, and a repeat load asks the network for nothing.
// - Reads of the API (GET /v1/…) go to the network first and fall back to the last copy, so the forms can be
//   filled offline from my sites, my lots, species and the vocabulary.
// - Writes are never cached or replayed here: the page's outbox owns them.
const SHELL_CACHE = `shell-${VERSION}`;
const DATA_CACHE = 'data-v1';
const NETWORK_TIMEOUT_MS = 5000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('shell-') && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  // Signing out of a shared phone: the next person must not read the last person's cached data.
  if (event.data && event.data.type === 'clear-data') event.waitUntil(caches.delete(DATA_CACHE));
});

const offlineAnswer = () =>
  new Response(JSON.stringify({ type: '/problems/offline', title: 'Offline', status: 503, detail: 'No network and no saved copy' }), {
    status: 503,
    headers: { 'content-type': 'application/problem+json', 'x-herbtrace-offline': '1' },
  });

async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NETWORK_TIMEOUT_MS)),
    ]);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    const copy = await cache.match(request);
    if (!copy) return offlineAnswer();
    const headers = new Headers(copy.headers);
    headers.set('x-herbtrace-from-cache', '1');
    return new Response(await copy.blob(), { status: copy.status, headers });
  }
}

async function shellFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch {
    return offlineAnswer();
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== 'GET') return;
  if (request.mode === 'navigate' && url.pathname.startsWith('/app')) {
    event.respondWith(caches.open(SHELL_CACHE).then((c) => c.match('/app/')).then((hit) => hit || fetch(request)));
    return;
  }
  if (url.pathname.startsWith('/app/')) {
    event.respondWith(shellFirst(request));
    return;
  }
  if (url.pathname.startsWith('/v1/') || url.pathname === '/v1') {
    event.respondWith(networkFirst(request));
  }
});

// mimamori — kiosk service worker: keeps the kiosk page itself available when the server
// cannot be reached, so a reload while offline still shows the kiosk (and its unsent scans,
// which live in IndexedDB). Network first, the cached copy only when the network fails.
// The API is never cached or answered from here.
const CACHE = 'mimamori-kiosk-v1';
const SHELL = ['/kiosk/', '/kiosk/kiosk.js', '/kiosk/kiosk.css', '/js/api.js', '/app.css', '/favicon.svg'];
const NETWORK_MS = 4000;

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function withTimeout(p, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  const key = url.pathname === '/kiosk/index.html' ? '/kiosk/' : url.pathname;
  if (!SHELL.includes(key)) return;
  ev.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await withTimeout(fetch(req), NETWORK_MS);
      if (res.ok && !res.redirected) await cache.put(key, res.clone());
      return res;
    } catch (e) {
      const hit = await cache.match(key);
      if (hit) return hit;
      throw e;
    }
  })());
});

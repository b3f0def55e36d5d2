// The sample page's service worker: keeps the page's static files so that a reload while
// offline still shows the app (its records come from the client's IndexedDB store).
// Static files are served from the cache when there, and refreshed from the network behind
// it, so a new version shows from the next load on. The sync endpoint, the REST API,
// Actuator and the sign-in endpoints always go to the network.

const CACHE = 'syncro-sample-v1';
const SHELL = ['./', 'index.html', 'app.js', 'app.css', 'syncro-client/index.js'];
// first path segments that always go to the network
const NETWORK_ONLY = ['syncro', 'api', 'actuator', 'session', 'login', 'logout'];

self.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
	event.waitUntil(caches.keys()
		.then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
		.then(() => self.clients.claim()));
});

// the page names the files it loaded before this worker controlled it (the client's modules)
self.addEventListener('message', (event) => {
	if (event.data?.type === 'cache' && Array.isArray(event.data.urls)) {
		event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(event.data.urls
			.filter(isStatic)
			.map((url) => cache.match(url).then((hit) => hit ?? fetchAndKeep(cache, url).catch(() => undefined))))));
	}
});

self.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET' || !isStatic(request.url)) {
		return;
	}
	event.respondWith(caches.open(CACHE).then(async (cache) => {
		const cached = await cache.match(request, { ignoreSearch: true });
		const fresh = fetchAndKeep(cache, request);
		if (cached) {
			event.waitUntil(fresh.catch(() => undefined));
			return cached;
		}
		return fresh;
	}));
});

function isStatic(url) {
	const parsed = new URL(url, self.registration.scope);
	if (parsed.origin !== self.location.origin || !parsed.href.startsWith(self.registration.scope)) {
		return false;
	}
	const path = parsed.href.slice(self.registration.scope.length).split(/[?#]/)[0];
	return path !== 'sw.js' && !NETWORK_ONLY.includes(path.split('/')[0]);
}

async function fetchAndKeep(cache, request) {
	const response = await fetch(request);
	if (response.ok && response.type === 'basic') {
		await cache.put(request, response.clone());
	}
	return response;
}

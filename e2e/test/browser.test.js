// The sample app in two real browser windows (two Chromium contexts: two profiles, so two
// clients with their own IndexedDB and uid) against the sample app's jar.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { launchChromium } from './support/browser.js';
import { outputDir, startSampleApp } from './support/sample-app.js';
import {
	signIn, addTodo, renameTodo, createPage, editPage, todoItem, pageItem, waitForTodo, todos, only, pageTitles, online, status, pending, settled,
} from './support/page.js';

const VIEWPORT = { width: 720, height: 820 };

const OFFLINE_TEST_TITLES = ['Water the plants', 'Feed the cat', 'Feed the cat twice', 'Written offline', 'Written by B meanwhile'];

// Chromium's offline emulation (context.setOffline) fails new connections, but a WebSocket
// that is already open stays open with its frames held back, so the page would think it is
// online until its heartbeat times out (a minute). Real network loss closes the socket
// sooner or later; the tests close it at once: every page records its sockets here.
const TRACK_SOCKETS = () => {
	const Native = window.WebSocket;
	window.__e2eSockets = [];
	window.WebSocket = class extends Native {
		constructor(...args) {
			super(...args);
			window.__e2eSockets.push(this);
		}
	};
};

describe('the sample app in two browser windows', { timeout: 120_000 }, () => {
	let app;
	let browser;
	/** @type {import('playwright-core').BrowserContext} */ let contextA;
	/** @type {import('playwright-core').Page} */ let a;
	/** @type {import('playwright-core').Page} */ let b;

	before(async () => {
		browser = await launchChromium();
		app = await startSampleApp();
		// two users, each signed in through the page's login form
		[contextA, a] = await openWindow('alice');
		[, b] = await openWindow('bob');
		await Promise.all([online(a), online(b)]);
	});

	// what the pages reported (refusals, errors), shown beside the test they happened in
	const problems = [];
	afterEach(() => {
		for (const problem of problems.splice(0)) {
			console.log(`In the page: ${problem}`);
		}
	});

	after(async () => {
		try {
			await browser?.close();
		}
		finally {
			await app?.stop();
		}
	});

	async function openWindow(user) {
		const context = await browser.newContext({ viewport: VIEWPORT });
		context.setDefaultTimeout(20_000);
		await context.addInitScript(TRACK_SOCKETS);
		const page = await context.newPage();
		page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
		page.on('console', (message) => {
			if (message.text().startsWith('syncro:')) {
				problems.push(message.text());
			}
		});
		await page.goto(app.url);
		await signIn(page, user, `${user}-secret`);
		await page.locator('#app').waitFor({ state: 'visible' });
		assert.equal(await page.locator('#user').textContent(), user);
		return [context, page];
	}

	test('a todo added, renamed, ticked and deleted in one window changes in the other live', async () => {
		await addTodo(a, 'Buy milk');
		await waitForTodo(b, 'Buy milk');

		await renameTodo(b, 'Buy milk', 'Buy oat milk');
		await waitForTodo(a, 'Buy oat milk');
		assert.equal(await todoItem(a, 'Buy milk').count(), 0);

		await todoItem(a, 'Buy oat milk').locator('.toggle').check();
		await waitForTodo(b, 'Buy oat milk', { done: true });

		await addTodo(b, 'Walk the dog');
		await todoItem(a, 'Buy oat milk').locator('.delete').click();
		await waitForTodo(a, 'Walk the dog');
		await todoItem(b, 'Buy oat milk').waitFor({ state: 'detached' });

		await Promise.all([settled(a), settled(b)]);
		const mine = ['Buy milk', 'Buy oat milk', 'Walk the dog'];
		assert.deepEqual(only(await todos(a), mine), [{ title: 'Walk the dog', done: false }]);
		assert.deepEqual(await todos(b), await todos(a));
	});

	test('edits made offline survive a reload and reach the other window once back online', async () => {
		await addTodo(a, 'Water the plants');
		await addTodo(a, 'Feed the cat');
		await waitForTodo(b, 'Water the plants');
		await waitForTodo(b, 'Feed the cat');
		await settled(a);
		const uid = await a.locator('#uid').textContent();

		await contextA.setOffline(true);
		try {
			await a.evaluate(() => window.__e2eSockets.forEach((socket) => socket.close()));
			await status(a, 'offline');

			await addTodo(a, 'Written offline');
			await todoItem(a, 'Water the plants').locator('.toggle').check();
			await renameTodo(a, 'Feed the cat', 'Feed the cat twice');
			// three changes, each stored as a scribe that waits for the server
			await pending(a, 3);
			await addTodo(b, 'Written by B meanwhile');
			assert.equal(await todoItem(b, 'Written offline').count(), 0, 'an offline edit reached the other window');

			const response = await a.reload();
			assert.ok(response?.fromServiceWorker(), 'the offline reload was not served by the service worker');
			await a.locator('#app').waitFor({ state: 'visible' });
			assert.equal(await a.locator('#uid').textContent(), uid, 'the reloaded page took another client uid');
			await status(a, 'offline');
			await pending(a, 3);
			assert.equal(await a.evaluate(() => window.syncroClient.pendingWrites), 3);
			assert.deepEqual(only(await todos(a), OFFLINE_TEST_TITLES), [
				{ title: 'Feed the cat twice', done: false },
				{ title: 'Water the plants', done: true },
				{ title: 'Written offline', done: false },
			]);

			const picture = await screenshotSideBySide([
				{ label: 'Window A, offline after a reload', page: a },
				{ label: 'Window B', page: b },
			], 'two-windows-offline.png');
			console.log(`Screenshot of window A offline: ${picture}`);
		}
		finally {
			await contextA.setOffline(false);
		}

		await status(a, 'online');
		await Promise.all([settled(a), settled(b)]);
		await waitForTodo(a, 'Written by B meanwhile');
		await waitForTodo(b, 'Written offline');
		await waitForTodo(b, 'Water the plants', { done: true });
		await waitForTodo(b, 'Feed the cat twice');
		const expected = [
			{ title: 'Feed the cat twice', done: false },
			{ title: 'Water the plants', done: true },
			{ title: 'Written by B meanwhile', done: false },
			{ title: 'Written offline', done: false },
		];
		assert.deepEqual(only(await todos(a), OFFLINE_TEST_TITLES), expected);
		assert.deepEqual(await todos(b), await todos(a));
	});

	test('a page made in one window reaches every window of its user and no other user', async () => {
		await createPage(a, 'Notes of A', 'Only alice may read this.');
		await createPage(b, 'Notes of B', 'Only bob may read this.');
		await editPage(a, 'Notes of A', 'Private notes of A', 'Only alice may read this, still.');
		await Promise.all([settled(a), settled(b)]);

		// a todo made after the pages reaches B only after everything before it on the server
		await addTodo(a, 'Pages checked');
		await waitForTodo(b, 'Pages checked');
		assert.deepEqual(await pageTitles(a), ['Private notes of A']);
		assert.deepEqual(await pageTitles(b), ['Notes of B']);
		assert.equal(await a.locator('#pages .body').textContent(), 'Only alice may read this, still.');

		// the server has each user's page, owned by the user, and its REST API lists it to
		// that user only, and to nobody who is not signed in
		assert.deepEqual(await storedPages('alice'), [{ owner: 'alice', title: 'Private notes of A' }]);
		assert.deepEqual(await storedPages('bob'), [{ owner: 'bob', title: 'Notes of B' }]);
		assert.equal((await fetch(`${app.url}/api/pages`)).status, 401);

		// a second window of alice, another client (uid) of hers, gets her page, and a page
		// she makes there reaches her first window, never bob's
		const [contextA2, a2] = await openWindow('alice');
		try {
			await online(a2);
			assert.notEqual(await a2.locator('#uid').textContent(), await a.locator('#uid').textContent());
			await pageItem(a2, 'Private notes of A').waitFor();
			assert.deepEqual(await pageTitles(a2), ['Private notes of A']);
			assert.equal(await a2.locator('#pages .body').textContent(), 'Only alice may read this, still.');

			await createPage(a2, 'Notes of A, second window', 'Written in the second window.');
			await pageItem(a, 'Notes of A, second window').waitFor();
			await settled(a2);
			await addTodo(a2, 'Second window checked');
			await waitForTodo(b, 'Second window checked');
			assert.deepEqual((await pageTitles(a)).sort(), ['Notes of A, second window', 'Private notes of A']);
			assert.deepEqual(await pageTitles(b), ['Notes of B']);
		}
		finally {
			await contextA2.close();
		}

		// a third window, of a third user, that syncs from scratch gets every todo and no
		// page of anyone else
		const [contextC, c] = await openWindow('carol');
		try {
			await online(c);
			await waitForTodo(c, 'Second window checked');
			assert.deepEqual(await todos(c), await todos(a));
			assert.deepEqual(await pageTitles(c), []);
		}
		finally {
			await contextC.close();
		}
	});

	/** A user's Pages as the REST API lists them to her, signed in by HTTP Basic. */
	async function storedPages(user) {
		const response = await fetch(`${app.url}/api/pages`, { headers: { Authorization: basic(user) } });
		assert.equal(response.status, 200);
		return (await response.json()).map(({ owner, title }) => ({ owner, title }));
	}

	test('the page connects only after a sign-in, and signing out or losing the session leaves the login form', async () => {
		const context = await browser.newContext({ viewport: VIEWPORT });
		await context.addInitScript(TRACK_SOCKETS);
		try {
			const page = await context.newPage();
			await page.goto(app.url);
			await page.locator('#login').waitFor({ state: 'visible' });
			assert.equal(await page.locator('#app').isVisible(), false);
			// nothing signed in: the sync endpoint refuses this browser
			const refused = await page.evaluate(() => new Promise((resolve) => {
				const socket = new WebSocket(new URL('syncro?client=anonymous-probe', location.href.replace(/^http/, 'ws')));
				socket.onopen = () => resolve('open');
				socket.onclose = () => resolve('refused');
			}));
			assert.equal(refused, 'refused');

			await signIn(page, 'carol', 'not-her-password');
			await page.locator('#login-error', { hasText: 'Wrong user name or password.' }).waitFor();
			assert.equal(await page.locator('#app').isVisible(), false);

			await signIn(page, 'carol', 'carol-secret');
			await online(page);
			assert.equal(await page.locator('#user').textContent(), 'carol');

			// the session ends behind the page's back: its reconnects are refused, and it
			// asks to sign in again
			await context.clearCookies();
			await page.evaluate(() => window.__e2eSockets.forEach((socket) => socket.close()));
			await page.locator('#login').waitFor({ state: 'visible' });
			await signIn(page, 'carol', 'carol-secret');
			await online(page);

			await page.locator('#logout').click();
			await page.locator('#login').waitFor({ state: 'visible' });
			const session = await (await page.request.get(`${app.url}/session`)).json();
			assert.equal(session.user, null);
		}
		finally {
			await context.close();
		}
	});

	test('the two windows side by side, for a person to look at', async (t) => {
		await Promise.all([settled(a), settled(b), status(a, 'online'), status(b, 'online')]);
		assert.deepEqual(await todos(b), await todos(a));
		const path = await screenshotSideBySide([
			{ label: 'Window A', page: a },
			{ label: 'Window B', page: b },
		], 'two-windows.png');
		t.diagnostic(`screenshot: ${path}`);
		console.log(`Screenshot of the two windows: ${path}`);
	});

	/** Puts screenshots of the windows side by side into one picture in the test output. */
	async function screenshotSideBySide(windows, name) {
		const path = join(outputDir, name);
		const shots = await Promise.all(windows.map(async ({ label, page }) => ({
			label,
			uid: await page.locator('#uid').textContent(),
			png: (await page.screenshot()).toString('base64'),
		})));
		const html = `<!DOCTYPE html><html><head><style>
			body { margin: 0; padding: 16px; background: #d9dce2; font: 14px system-ui, sans-serif; display: flex; gap: 16px; }
			figure { margin: 0; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 2px 10px rgba(0,0,0,.18); }
			figcaption { padding: 8px 12px; background: #2b2f38; color: #fff; }
			figcaption code { color: #b8c0cc; }
			img { display: block; width: ${VIEWPORT.width}px; height: ${VIEWPORT.height}px; }
		</style></head><body>${shots.map(({ label, uid, png }) => `<figure>
			<figcaption>${label} <code>${uid}</code></figcaption>
			<img src="data:image/png;base64,${png}">
		</figure>`).join('')}</body></html>`;
		const composer = await browser.newPage({ viewport: { width: 2 * VIEWPORT.width + 48, height: VIEWPORT.height + 70 } });
		try {
			await composer.setContent(html);
			await composer.screenshot({ path, fullPage: true });
		}
		finally {
			await composer.close();
		}
		return path;
	}
});

/** The HTTP Basic header of a sample user, whose password is the name and "-secret". */
function basic(user) {
	return `Basic ${Buffer.from(`${user}:${user}-secret`).toString('base64')}`;
}

// Audiences by user in real browser windows: a user's pages in every window of hers and
// in no one else's, a list shared with bob appearing in his window live, and bob signing
// in where alice was without seeing anything of hers.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { launchChromium } from './support/browser.js';
import { addTodo, createPage, online, pending, signIn } from './support/page.js';
import { startSampleApp } from './support/sample-app.js';

const VIEWPORT = { width: 720, height: 900 };

describe('the sample app, user by user', { timeout: 120_000 }, () => {
	let app;
	let browser;
	const contexts = [];
	const problems = [];

	before(async () => {
		browser = await launchChromium();
		app = await startSampleApp();
	});

	afterEach(async () => {
		for (const problem of problems.splice(0)) {
			console.log(`In the page: ${problem}`);
		}
		await Promise.all(contexts.splice(0).map((context) => context.close()));
	});

	after(async () => {
		try {
			await browser?.close();
		}
		finally {
			await app?.stop();
		}
	});

	/** A new browser profile (its own IndexedDB) with the app open, signed in as a user. */
	async function openWindow(user) {
		const context = await browser.newContext({ viewport: VIEWPORT });
		context.setDefaultTimeout(20_000);
		contexts.push(context);
		const page = await context.newPage();
		page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
		page.on('console', (message) => {
			if (message.text().startsWith('syncro:')) {
				problems.push(message.text());
			}
		});
		await page.goto(app.url);
		await signInAndWait(page, user);
		return page;
	}

	test('alice sees her pages in both of her windows, and bob sees none of them', async () => {
		const first = await openWindow('alice');
		const second = await openWindow('alice');
		const bob = await openWindow('bob');
		assert.notEqual(await first.locator('#uid').textContent(), await second.locator('#uid').textContent());

		await createPage(first, 'Alice in both windows', '');
		await first.locator('#pages .page .title', { hasText: 'Alice in both windows' }).waitFor();
		await second.locator('#pages .page .title', { hasText: 'Alice in both windows' }).waitFor();

		// bob's window has caught up with something written after alice's page
		await addTodo(first, 'After the page');
		await bob.locator('#todos .todo .title', { hasText: 'After the page' }).waitFor();
		assert.deepEqual(await titles(bob, '#pages .page .title'), []);
		assert.match(await second.locator('#pages').textContent(), /Alice in both windows/);
	});

	test('a list alice shares with bob appears in his window live, with its todos, and leaves it when unshared', async () => {
		const alice = await openWindow('alice');
		const bob = await openWindow('bob');
		await alice.locator('#new-list-name').fill('Holiday');
		await alice.locator('#new-list-name').press('Enter');
		const list = alice.locator('#lists .todo-list', { hasText: 'Holiday' });
		await list.waitFor();
		await list.locator('.new-list-todo-title').fill('Book the train');
		await list.locator('.new-list-todo-title').press('Enter');
		await list.locator('.list-todos .title', { hasText: 'Book the train' }).waitFor();
		await pending(alice, 0);
		assert.deepEqual(await titles(bob, '#lists .todo-list .title'), []);

		await list.locator('.share-user').fill('bob');
		await list.locator('.share-user').press('Enter');
		const shared = bob.locator('#lists .todo-list', { hasText: 'Holiday' });
		await shared.locator('.list-todos .title', { hasText: 'Book the train' }).waitFor();
		assert.match(await shared.locator('.members').textContent(), /alice.*bob/);
		// the list's todo is in the list, not among the shared todos
		assert.equal(await bob.locator('#todos .todo .title', { hasText: 'Book the train' }).count(), 0);

		await list.locator('.unshare').click();
		await shared.waitFor({ state: 'detached' });
		assert.deepEqual(await titles(bob, '#lists .todo-list .title'), []);
	});

	test('bob signing in where alice was sees nothing of hers', async () => {
		const page = await openWindow('alice');
		await createPage(page, 'Alice only', '');
		await page.locator('#new-list-name').fill('Alice private list');
		await page.locator('#new-list-name').press('Enter');
		await page.locator('#lists .todo-list .title', { hasText: 'Alice private list' }).waitFor();
		await pending(page, 0);
		const aliceUid = await page.locator('#uid').textContent();

		await page.locator('#logout').click();
		await page.locator('#login').waitFor({ state: 'visible' });
		await signInAndWait(page, 'bob');
		assert.equal(await page.locator('#user').textContent(), 'bob');
		assert.notEqual(await page.locator('#uid').textContent(), aliceUid);
		assert.deepEqual(await titles(page, '#pages .page .title'), []);
		assert.deepEqual(await titles(page, '#lists .todo-list .title'), []);
		// and the browser keeps nothing of alice's
		const kept = await page.evaluate(async () => {
			const { IndexedDBStore } = await import('./syncro-client/index.js');
			return new IndexedDBStore().clients();
		});
		assert.ok(kept.every((key) => !key.startsWith('alice/')), `alice's uids left in the browser: ${kept}`);
	});
});

async function signInAndWait(page, user) {
	await signIn(page, user, `${user}-secret`);
	await page.locator('#app').waitFor({ state: 'visible' });
	await online(page);
}

async function titles(page, selector) {
	return page.locator(selector).allTextContents();
}

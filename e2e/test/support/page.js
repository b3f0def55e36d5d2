// What a person does and sees in one window of the sample page, shared by the browser tests.

export async function signIn(page, user, password) {
	await page.locator('#login-user').fill(user);
	await page.locator('#login-password').fill(password);
	await page.locator('#login button[type=submit]').click();
}

export async function addTodo(page, title) {
	await page.locator('#new-todo-title').fill(title);
	await page.locator('#new-todo-title').press('Enter');
	await todoItem(page, title).waitFor();
}

export async function renameTodo(page, from, to) {
	await todoItem(page, from).locator('.title').dblclick();
	const input = todoItem(page, from).locator('.edit');
	await input.fill(to);
	await input.press('Enter');
	await todoItem(page, to).waitFor();
}

export async function createPage(page, title, body) {
	await page.locator('#new-page-title').fill(title);
	await page.locator('#new-page-body').fill(body);
	await page.locator('#new-page button[type=submit]').click();
	await pageItem(page, title).waitFor();
}

export async function editPage(page, from, title, body) {
	const item = pageItem(page, from);
	await item.locator('.rename').click();
	await item.locator('input[name=title]').fill(title);
	await item.locator('textarea[name=body]').fill(body);
	await item.locator('button[type=submit]').click();
	await pageItem(page, title).waitFor();
}

export function todoItem(page, title) {
	return page.locator('#todos .todo').filter({ has: page.locator('.title', { hasText: exactly(title) }) });
}

export function pageItem(page, title) {
	return page.locator('#pages .page').filter({ has: page.locator('h3', { hasText: exactly(title) }) });
}

export async function waitForTodo(page, title, { done } = {}) {
	const item = todoItem(page, title);
	await item.waitFor();
	if (done !== undefined) {
		await page.waitForFunction(([title, done]) => [...document.querySelectorAll('#todos .todo')]
			.some((li) => li.querySelector('.title').textContent === title && li.querySelector('.toggle').checked === done),
		[title, done]);
	}
}

export function todos(page) {
	return page.$$eval('#todos .todo', (items) => items.map((li) => ({
		title: li.querySelector('.title').textContent,
		done: li.querySelector('.toggle').checked,
	})));
}

/** The todos with these titles: a test's own, whatever other tests left. */
export function only(list, titles) {
	return list.filter((todo) => titles.includes(todo.title));
}

export function pageTitles(page) {
	return page.$$eval('#pages .page h3', (titles) => titles.map((h3) => h3.textContent));
}

export async function online(page) {
	await status(page, 'online');
}

export async function status(page, expected) {
	await page.locator(`#status[data-status="${expected}"]`).waitFor();
}

export async function pending(page, count) {
	await page.locator(`#pending[data-count="${count}"]`).waitFor();
}

export async function settled(page) {
	await pending(page, 0);
}

export function exactly(text) {
	return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

// The sample app's page: the shared Todos, the user's lists (shared with their members,
// each with its Todos) and the user's Pages, kept in sync by syncro-client. Every change applies locally at once and is stored in IndexedDB, so the
// page works offline; the badge shows the connection and the count of changes the server
// has not acknowledged yet.

import { Syncro, IndexedDBStore, storeOfUser } from './syncro-client/index.js';

// the user who signed in last in this browser, to start offline as them
const USER_KEY = 'syncro-sample:user';

registerServiceWorker();

const user = await signIn();
// each user's uid of this tab: a uid belongs to the user who first connected with it
const UID_KEY = `syncro-sample:uid:${user}`;

const client = await openClient().catch((error) => {
	$('#loading').textContent = `The app could not start: ${error.message}`;
	throw error;
});
// for poking around in the browser console
window.syncroClient = client;

const todos = client.collection('Todo');
const lists = client.collection('TodoList');
const pages = client.collection('Page');

$('#uid').textContent = client.uid;
$('#user').textContent = user;
$('#user').hidden = false;
$('#logout').hidden = false;
$('#logout').addEventListener('click', () => signOut().catch((error) => toast(error.message)));
showStatus(client.status);
showPending(client.pendingWrites);
client.on('status', showStatus);
client.on('status', (status) => {
	if (status === 'offline') {
		checkStillSignedIn();
	}
});
client.on('pendingWrites', showPending);
client.on('refused', ({ klass, id, type, code, message }) => {
	console.warn(`syncro: the server refused the ${type} of ${klass} ${id} (${code}): ${message}`);
	toast(`The server refused a change to a ${klass}: ${message}`);
});
client.on('error', (error) => console.warn('syncro:', error));

const todoList = keyedList($('#todos'), todoItem);
const listList = keyedList($('#lists'), listItem);
const pageList = keyedList($('#pages'), pageItem);
todos.on('change', renderTodos);
todos.on('change', renderLists);
lists.on('change', renderLists);
pages.on('change', renderPages);
renderTodos();
renderLists();
renderPages();

$('#loading').hidden = true;
$('#app').hidden = false;

$('#new-todo').addEventListener('submit', (event) => {
	event.preventDefault();
	const input = $('#new-todo-title');
	const title = input.value.trim();
	if (title) {
		attempt(todos.create({ title, done: false }));
		input.value = '';
	}
	input.focus();
});

$('#new-list').addEventListener('submit', (event) => {
	event.preventDefault();
	const input = $('#new-list-name');
	const name = input.value.trim();
	if (name) {
		attempt(lists.create({ name, members: [user] }));
		input.value = '';
	}
	input.focus();
});

$('#new-page').addEventListener('submit', (event) => {
	event.preventDefault();
	const title = $('#new-page-title').value.trim();
	if (title) {
		attempt(pages.create({ owner: user, title, body: $('#new-page-body').value }));
		event.target.reset();
	}
	$('#new-page-title').focus();
});

/**
 * Opens the client. A tab keeps its uid in sessionStorage, which survives a reload of the
 * tab and nothing else, so a reload takes back its own uid (and its local changes) even
 * when the page it replaces has not let go of the uid's lock yet.
 */
async function openClient() {
	const store = new IndexedDBStore();
	// the store keeps each user's uids and records apart: this user never adopts another's
	// a quick reconnect once the network is back; the client's default waits up to 30 s
	const options = { url: 'syncro', store, user, backoff: { initial: 500, max: 5000 } };
	const remembered = sessionStorage.getItem(UID_KEY);
	// reuse a uid only while the store still has its data (PROTOCOL.md: a uid that lost
	// its local data must not come back)
	if (remembered && (await storeOfUser(store, user).clients()).includes(remembered)) {
		const reloading = performance.getEntriesByType('navigation')[0]?.type === 'reload';
		for (let tries = reloading ? 20 : 1; tries > 0; tries--) {
			try {
				return await Syncro.open({ ...options, client: remembered });
			}
			catch (error) {
				if (!/in use/.test(error.message)) {
					throw error;
				}
				// held by another tab (a duplicated one), or by the page this reload replaces
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		}
	}
	const opened = await Syncro.open(options);
	sessionStorage.setItem(UID_KEY, opened.uid);
	return opened;
}

// Signing in

/**
 * The signed-in user: the server's answer when it can be asked, after the login form
 * when nobody is signed in; offline, the user who signed in last in this browser. The
 * browser then sends the session cookie on the WebSocket handshake.
 */
async function signIn() {
	let session;
	try {
		session = await fetchSession();
	}
	catch {
		const remembered = localStorage.getItem(USER_KEY);
		if (remembered) {
			return remembered;
		}
	}
	if (session?.user) {
		localStorage.setItem(USER_KEY, session.user);
		return session.user;
	}
	return showLogin();
}

async function fetchSession() {
	const response = await fetch('session', { cache: 'no-store' });
	if (!response.ok) {
		throw new Error(`The server answered ${response.status}.`);
	}
	return response.json();
}

/** Shows the login form until a user signs in; resolves with the user's name. */
function showLogin() {
	$('#loading').hidden = true;
	const form = $('#login');
	const error = $('#login-error');
	form.hidden = false;
	$('#login-user').focus();
	return new Promise((resolve) => {
		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			error.hidden = true;
			try {
				const { csrf } = await fetchSession();
				const response = await fetch('login', {
					method: 'POST',
					headers: { [csrf.header]: csrf.token },
					body: new URLSearchParams(new FormData(form)),
				});
				if (response.status === 401) {
					throw new Error('Wrong user name or password.');
				}
				if (!response.ok) {
					throw new Error(`The server answered ${response.status}; try again.`);
				}
				const { user: signedIn } = await response.json();
				localStorage.setItem(USER_KEY, signedIn);
				form.hidden = true;
				$('#loading').hidden = false;
				resolve(signedIn);
			}
			catch (failure) {
				error.textContent = failure instanceof TypeError ? 'The server cannot be reached.' : failure.message;
				error.hidden = false;
			}
		});
	});
}

/**
 * A connection that fails while the server answers may have been refused: when the
 * session ended (expired, or signed out in another tab), the page reloads to the login
 * form. Asked at most every ten seconds.
 */
let lastCheck = 0;
async function checkStillSignedIn() {
	if (Date.now() - lastCheck < 10_000) {
		return;
	}
	lastCheck = Date.now();
	const session = await fetchSession().catch(() => null);
	if (session && session.user !== user) {
		localStorage.removeItem(USER_KEY);
		await client.close();
		location.reload();
	}
}

async function signOut() {
	const { csrf } = await fetchSession().catch(() => {
		throw new Error('Signing out needs the server; try again once online.');
	});
	const response = await fetch('logout', { method: 'POST', headers: { [csrf.header]: csrf.token } });
	if (!response.ok) {
		throw new Error(`Signing out failed (${response.status}).`);
	}
	localStorage.removeItem(USER_KEY);
	// the next user of this browser finds none of this user's records or uids
	await client.signOut();
	sessionStorage.removeItem(UID_KEY);
	location.reload();
}

// Todos

function renderTodos() {
	const all = todos.all().filter((todo) => !todo.listId).sort(byTitle);
	todoList.render(all);
	const done = all.filter((todo) => todo.done).length;
	$('#todo-count').textContent = all.length ? `${done} of ${all.length} done` : '';
	$('#todos-empty').hidden = all.length > 0;
}

function todoItem(id) {
	const li = element('li', { class: 'todo', 'data-id': id });
	const toggle = element('input', { type: 'checkbox', class: 'toggle', 'aria-label': 'Done' });
	const title = element('span', { class: 'title', title: 'Double-click to rename' });
	const edit = element('input', { class: 'edit', maxlength: '500', 'aria-label': 'Title', hidden: '' });
	const rename = element('button', { type: 'button', class: 'icon rename', title: 'Rename', 'aria-label': 'Rename' }, '✎');
	const remove = element('button', { type: 'button', class: 'icon delete', title: 'Delete', 'aria-label': 'Delete' }, '×');
	li.append(toggle, title, edit, rename, remove);

	toggle.addEventListener('change', () => attempt(todos.update(id, { done: toggle.checked })));
	remove.addEventListener('click', () => attempt(todos.destroy(id)));
	const startEditing = () => {
		if (li.classList.contains('editing')) {
			return;
		}
		li.classList.add('editing');
		edit.value = todos.get(id)?.title ?? '';
		title.hidden = true;
		edit.hidden = false;
		edit.focus();
		edit.select();
	};
	const stopEditing = (save) => {
		if (!li.classList.contains('editing')) {
			return;
		}
		li.classList.remove('editing');
		edit.hidden = true;
		title.hidden = false;
		const value = edit.value.trim();
		const todo = todos.get(id);
		if (save && todo && value && value !== todo.title) {
			attempt(todos.update(id, { title: value }));
		}
	};
	title.addEventListener('dblclick', startEditing);
	rename.addEventListener('click', startEditing);
	edit.addEventListener('keydown', (event) => {
		if (event.key === 'Enter') {
			stopEditing(true);
		}
		else if (event.key === 'Escape') {
			stopEditing(false);
		}
	});
	edit.addEventListener('blur', () => stopEditing(true));

	return {
		element: li,
		update(todo) {
			toggle.checked = todo.done;
			li.classList.toggle('done', todo.done);
			title.textContent = todo.title;
		},
	};
}

// Lists: each with its members, a way to share it, and its own Todos

function renderLists() {
	const all = lists.all().slice().sort((a, b) => String(a.name).localeCompare(String(b.name)));
	listList.render(all);
	$('#list-count').textContent = all.length ? `${all.length} ${all.length === 1 ? 'list' : 'lists'}` : '';
	$('#lists-empty').hidden = all.length > 0;
}

function listItem(id) {
	const li = element('li', { class: 'todo-list', 'data-id': id });
	const head = element('div', { class: 'page-head' });
	const name = element('h3', { class: 'title' });
	const remove = element('button', { type: 'button', class: 'icon delete', title: 'Delete the list and its todos', 'aria-label': 'Delete list' }, '×');
	head.append(name, remove);
	const members = element('p', { class: 'members muted' });
	const share = element('form', { class: 'add share', autocomplete: 'off' });
	const shareInput = element('input', { class: 'share-user', placeholder: 'Share with (user name)', maxlength: '64', 'aria-label': 'Share with' });
	share.append(shareInput, element('button', { type: 'submit' }, 'Share'));
	const items = element('ul', { class: 'list list-todos' });
	const add = element('form', { class: 'add new-list-todo', autocomplete: 'off' });
	const addInput = element('input', { class: 'new-list-todo-title', placeholder: 'Add to this list', maxlength: '500', 'aria-label': 'New todo in this list' });
	add.append(addInput, element('button', { type: 'submit' }, 'Add'));
	li.append(head, members, share, items, add);
	const itemList = keyedList(items, todoItem);

	remove.addEventListener('click', () => attempt(lists.destroy(id)));
	share.addEventListener('submit', (event) => {
		event.preventDefault();
		const other = shareInput.value.trim();
		const list = lists.get(id);
		if (other && list && !list.members.includes(other)) {
			attempt(lists.update(id, { members: [...list.members, other] }));
		}
		shareInput.value = '';
	});
	add.addEventListener('submit', (event) => {
		event.preventDefault();
		const title = addInput.value.trim();
		if (title) {
			attempt(todos.create({ title, done: false, listId: id }));
			addInput.value = '';
		}
	});

	return {
		element: li,
		update(list) {
			name.textContent = list.name;
			members.replaceChildren('Shared by ', ...list.members.flatMap((member, index) => {
				const tag = element('span', { class: 'member' }, member);
				if (member !== user) {
					const unshare = element('button', { type: 'button', class: 'icon unshare', title: `Stop sharing with ${member}`, 'aria-label': `Stop sharing with ${member}` }, '×');
					unshare.addEventListener('click', () => attempt(lists.update(id, { members: list.members.filter((other) => other !== member) })));
					tag.append(unshare);
				}
				return index === 0 ? [tag] : [', ', tag];
			}));
			itemList.render(todos.all().filter((todo) => todo.listId === id).sort(byTitle));
		},
	};
}

// Pages

function renderPages() {
	const all = pages.all().slice().sort(byTitle);
	pageList.render(all);
	$('#page-count').textContent = all.length ? `${all.length} ${all.length === 1 ? 'page' : 'pages'}` : '';
	$('#pages-empty').hidden = all.length > 0;
}

function pageItem(id) {
	const li = element('li', { class: 'page', 'data-id': id });
	const view = element('div', { class: 'view' });
	const title = element('h3', { class: 'title' });
	const body = element('p', { class: 'body' });
	const edit = element('button', { type: 'button', class: 'icon rename', title: 'Edit', 'aria-label': 'Edit' }, '✎');
	const remove = element('button', { type: 'button', class: 'icon delete', title: 'Delete', 'aria-label': 'Delete' }, '×');
	const head = element('div', { class: 'page-head' });
	head.append(title, edit, remove);
	view.append(head, body);

	const form = element('form', { class: 'page-edit stacked', hidden: '' });
	const titleInput = element('input', { name: 'title', maxlength: '500', required: '', 'aria-label': 'Title' });
	const bodyInput = element('textarea', { name: 'body', rows: '3', 'aria-label': 'Body' });
	const save = element('button', { type: 'submit' }, 'Save');
	const cancel = element('button', { type: 'button', class: 'secondary' }, 'Cancel');
	const buttons = element('div', { class: 'buttons' });
	buttons.append(save, cancel);
	form.append(titleInput, bodyInput, buttons);
	li.append(view, form);

	const close = () => {
		form.hidden = true;
		view.hidden = false;
	};
	edit.addEventListener('click', () => {
		const page = pages.get(id);
		titleInput.value = page?.title ?? '';
		bodyInput.value = page?.body ?? '';
		view.hidden = true;
		form.hidden = false;
		titleInput.focus();
	});
	cancel.addEventListener('click', close);
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		const changes = { title: titleInput.value.trim(), body: bodyInput.value };
		if (changes.title && pages.get(id)) {
			attempt(pages.update(id, changes));
		}
		close();
	});
	remove.addEventListener('click', () => attempt(pages.destroy(id)));

	return {
		element: li,
		update(page) {
			title.textContent = page.title;
			body.textContent = page.body;
			body.hidden = !page.body;
		},
	};
}

// Connection state

function showStatus(status) {
	const badge = $('#status');
	badge.dataset.status = status;
	badge.textContent = { online: 'Online', syncing: 'Syncing…', connecting: 'Connecting…', offline: 'Offline' }[status] ?? status;
}

function showPending(count) {
	const pending = $('#pending');
	pending.dataset.count = String(count);
	pending.textContent = count === 0 ? 'All changes saved'
		: `${count} ${count === 1 ? 'change' : 'changes'} waiting to sync`;
}

// Offline start-up

/**
 * Registers the service worker that keeps the page's files, so a reload while offline
 * still shows the app; the records themselves come from IndexedDB.
 */
function registerServiceWorker() {
	if (!('serviceWorker' in navigator)) {
		return;
	}
	navigator.serviceWorker.register('sw.js')
		.then(() => navigator.serviceWorker.ready)
		.then((registration) => {
			// the files this page loaded before the worker took control: the worker keeps them
			const files = performance.getEntriesByType('resource')
				.map((entry) => entry.name)
				.filter((url) => new URL(url).origin === location.origin);
			registration.active?.postMessage({ type: 'cache', urls: [location.href, ...files] });
		})
		.catch((error) => console.warn('The service worker could not start; the page will not open offline.', error));
}

// Helpers

/**
 * A list whose items are kept per record id, so a re-render keeps the element being
 * edited (and its focus) while other records change.
 */
function keyedList(container, make) {
	const items = new Map();
	return {
		render(records) {
			const ids = new Set(records.map((record) => String(record.id)));
			for (const [id, item] of items) {
				if (!ids.has(id)) {
					item.element.remove();
					items.delete(id);
				}
			}
			let cursor = container.firstElementChild;
			for (const record of records) {
				const id = String(record.id);
				let item = items.get(id);
				if (!item) {
					item = make(record.id);
					items.set(id, item);
				}
				item.update(record);
				if (item.element === cursor) {
					cursor = cursor.nextElementSibling;
				}
				else {
					container.insertBefore(item.element, cursor);
				}
			}
		},
	};
}

function byTitle(a, b) {
	return String(a.title).localeCompare(String(b.title)) || String(a.id).localeCompare(String(b.id));
}

function attempt(write) {
	write.catch((error) => toast(error.message));
}

function toast(message) {
	const note = element('div', { class: 'toast', role: 'status' }, message);
	$('#toasts').append(note);
	setTimeout(() => note.remove(), 6000);
}

function element(tag, attributes = {}, text) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		node.setAttribute(name, value);
	}
	if (text !== undefined) {
		node.textContent = text;
	}
	return node;
}

function $(selector) {
	return document.querySelector(selector);
}

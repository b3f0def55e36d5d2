/**
 * syncro-client: the JavaScript client of Syncro (docs/PROTOCOL.md: version 2, or 1 where
 * the server knows no newer).
 *
 * ```js
 * import { Syncro } from 'syncro-client';
 * const client = await Syncro.open({ url: '/syncro' });
 * const todos = client.collection('Todo');
 * todos.on('change', ({ type, record, source }) => render());
 * await todos.create({ title: 'Write docs', done: false });
 * ```
 * @module
 */

export { Syncro } from './client.js';
export { Collection } from './collection.js';
export { SyncroError } from './errors.js';
export { MemoryStore, storeOfUser } from './stores.js';
export { IndexedDBStore } from './indexeddb-store.js';
export { Backoff, backoffDelay } from './backoff.js';
export { canonical, digestOf, recordHash } from './digest.js';

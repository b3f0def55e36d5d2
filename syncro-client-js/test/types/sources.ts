// index.d.ts against src/: the hand-written declarations must name what the module exports,
// and the implementation must be what they promise, as far as its JSDoc says. Checked by
// `tsc -p test/types` (allowJs reads the JSDoc of src/*.js), never run.
//
// A failing line names what drifted, e.g. "Type 'boolean' is not assignable to type
// '{ undeclared: "foo"; notInSources: never; }'": `foo` is in src/ and not in index.d.ts.

import * as decl from 'syncro-client';
import * as src from '../../src/index.js';
import type * as client from '../../src/client.js';
import type * as stores from '../../src/stores.js';
import type * as records from '../../src/records.js';
import type * as subscriptions from '../../src/subscriptions.js';
import type * as digest from '../../src/digest.js';
import type * as backoff from '../../src/backoff.js';

/** `true` when both name the same keys; else what only one of them names. */
type SameKeys<Src, Decl> = [Exclude<keyof Src, keyof Decl>, Exclude<keyof Decl, keyof Src>] extends [never, never]
	? true
	: { undeclared: Exclude<keyof Src, keyof Decl>; notInSources: Exclude<keyof Decl, keyof Src> };
/** `true` when a value of Src is a value of Decl; else both, to read in the error. */
type Fits<Src, Decl> = [Src] extends [Decl] ? true : { source: Src; declared: Decl };
/** A function type as a plain function: checked strictly (parameters contravariantly), unlike a method. */
type Strict<F> = F extends (...args: infer A) => infer R ? (...args: A) => R : F;
/** `true` when both are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : { source: A; declared: B };
/** How many arguments a function takes: a union when some are optional. */
type Arity<F> = F extends (...args: infer A) => unknown ? A['length'] : never;
/** Whether a function fits a declared one, and takes as many arguments (optional ones alike). */
type FitsStrictly<Src, Decl> = [Strict<Src>] extends [Strict<Decl>] ? Same<Arity<Src>, Arity<Decl>> extends true ? true : false : false;
/** `true` when Src fits Decl as a function; else both, to read in the error. */
type FunctionFits<Src, Decl> = FitsStrictly<Src, Decl> extends true ? true : { source: Src; declared: Decl };
/**
 * Each member of Src fits the same member of Decl, methods checked as functions; those named
 * in Required may declare an argument required that the source makes optional.
 */
type MembersFit<Src, Decl, Required extends PropertyKey = never> = {
	[K in keyof Src & keyof Decl]: (K extends Required ? Fits<Strict<Src[K]>, Strict<Decl[K]>> : FitsStrictly<Src[K], Decl[K]>) extends true ? never : K;
}[keyof Src & keyof Decl] extends infer Bad ? [Bad] extends [never] ? true : { membersThatDiffer: Bad } : never;
/** Declared constructor arguments are taken by the source's, as many of them. */
type MadeAlike<Src extends abstract new (...args: any) => unknown, Decl extends abstract new (...args: any) => unknown> =
	FunctionFits<(...args: ConstructorParameters<Src>) => void, (...args: ConstructorParameters<Decl>) => void> extends true
		? Same<ConstructorParameters<Src>['length'], ConstructorParameters<Decl>['length']>
		: { source: ConstructorParameters<Src>; declared: ConstructorParameters<Decl> };

/**
 * Members that are not API: underscore ones (private to the client's modules, some of them
 * called across modules), and `emit`, which Syncro inherits from its internal event emitter
 * (its events come from the client alone).
 */
type Internal = `_${string}` | 'emit';
type Public<T> = Omit<T, Internal>;
type Statics<C> = Omit<C, 'prototype'>;
/** Whether `new` may be called from outside (not a `private constructor`). */
type Constructible<C> = C extends abstract new (...args: any) => any ? true : false;

// Exactly the same values exported.

const sameExports: SameKeys<typeof src, typeof decl> = true;

// Each class: made the same way (only Syncro.open and client.collection make clients and
// collections), the same static and public members, each fitting its declaration (methods
// checked strictly: parameters the other way round), constructor parameters included.
// Generic methods are compared at their constraints, and Collection at its default record.

const syncroMade: Same<Constructible<typeof src.Syncro>, Constructible<typeof decl.Syncro>> = true;
const syncroStatics: SameKeys<Statics<typeof src.Syncro>, Statics<typeof decl.Syncro>> = true;
const syncroOpen: FunctionFits<(...args: Parameters<typeof src.Syncro.open>) => unknown, (...args: Parameters<typeof decl.Syncro.open>) => unknown> = true;
const syncroKeys: SameKeys<Public<src.Syncro>, Public<decl.Syncro>> = true;
const syncroMembers: MembersFit<Public<src.Syncro>, Public<decl.Syncro>> = true;
const syncroCollection: Fits<ReturnType<src.Syncro['collection']>, decl.Collection> = true;

const collectionMade: Same<Constructible<typeof src.Collection>, Constructible<typeof decl.Collection>> = true;
const collectionStatics: SameKeys<Statics<typeof src.Collection>, Statics<typeof decl.Collection>> = true;
const collectionKeys: SameKeys<Public<src.Collection>, Public<decl.Collection>> = true;
// create(attrs = {}) takes no attributes too, but declared so, a typed collection's create()
// would skip the attributes its records need.
const collectionMembers: MembersFit<Public<src.Collection>, Public<decl.Collection>, 'create'> = true;

const syncroError: typeof decl.SyncroError = src.SyncroError;
const syncroErrorMade: MadeAlike<typeof src.SyncroError, typeof decl.SyncroError> = true;
const syncroErrorStatics: SameKeys<Statics<typeof src.SyncroError>, Statics<typeof decl.SyncroError>> = true;
const syncroErrorKeys: SameKeys<Public<src.SyncroError>, Public<decl.SyncroError>> = true;
const syncroErrorMembers: MembersFit<Public<src.SyncroError>, Public<decl.SyncroError>> = true;

const memoryStore: typeof decl.MemoryStore = src.MemoryStore;
const memoryStoreMade: MadeAlike<typeof src.MemoryStore, typeof decl.MemoryStore> = true;
const memoryStoreStatics: SameKeys<Statics<typeof src.MemoryStore>, Statics<typeof decl.MemoryStore>> = true;
const memoryStoreKeys: SameKeys<Public<src.MemoryStore>, Public<decl.MemoryStore>> = true;
const memoryStoreMembers: MembersFit<Public<src.MemoryStore>, Public<decl.MemoryStore>> = true;

type SrcIndexedDBStoreOptions = NonNullable<ConstructorParameters<typeof src.IndexedDBStore>[0]>;
const indexedDBStore: typeof decl.IndexedDBStore = src.IndexedDBStore;
const indexedDBStoreMade: MadeAlike<typeof src.IndexedDBStore, typeof decl.IndexedDBStore> = true;
const indexedDBStoreOptions: SameKeys<SrcIndexedDBStoreOptions, decl.IndexedDBStoreOptions> = true;
const indexedDBStoreStatics: SameKeys<Statics<typeof src.IndexedDBStore>, Statics<typeof decl.IndexedDBStore>> = true;
const indexedDBStoreKeys: SameKeys<Public<src.IndexedDBStore>, Public<decl.IndexedDBStore>> = true;
const indexedDBStoreMembers: MembersFit<Public<src.IndexedDBStore>, Public<decl.IndexedDBStore>> = true;

const backoffClass: typeof decl.Backoff = src.Backoff;
const backoffMade: MadeAlike<typeof src.Backoff, typeof decl.Backoff> = true;
const backoffStatics: SameKeys<Statics<typeof src.Backoff>, Statics<typeof decl.Backoff>> = true;
const backoffKeys: SameKeys<Public<src.Backoff>, Public<decl.Backoff>> = true;
const backoffMembers: MembersFit<Public<src.Backoff>, Public<decl.Backoff>> = true;

// Each function fits its declaration.

const storeOfUser: FunctionFits<typeof src.storeOfUser, typeof decl.storeOfUser> = true;
const backoffDelay: FunctionFits<typeof src.backoffDelay, typeof decl.backoffDelay> = true;
const canonical: FunctionFits<typeof src.canonical, typeof decl.canonical> = true;
const recordHash: FunctionFits<typeof src.recordHash, typeof decl.recordHash> = true;
const digestOf: FunctionFits<typeof src.digestOf, typeof decl.digestOf> = true;

// The JSDoc typedefs and their declared interfaces: the same fields; what the client hands
// out (events, loaded state, store writes) fits its declaration, and what it takes in
// (options, stores, stored state) its declaration fits.

const status: Fits<client.Status, decl.Status> = true;
const statusBack: Fits<decl.Status, client.Status> = true;

const changeEventKeys: SameKeys<client.ChangeEvent, decl.ChangeEvent> = true;
const changeEvent: Fits<client.ChangeEvent, decl.ChangeEvent> = true;
const refusedEventKeys: SameKeys<client.RefusedEvent, decl.RefusedEvent> = true;
const refusedEvent: Fits<client.RefusedEvent, decl.RefusedEvent> = true;
const conflictEventKeys: SameKeys<client.ConflictEvent, decl.ConflictEvent> = true;
const conflictEvent: Fits<client.ConflictEvent, decl.ConflictEvent> = true;
const mismatchEventKeys: SameKeys<client.MismatchEvent, decl.MismatchEvent> = true;
const mismatchEvent: Fits<client.MismatchEvent, decl.MismatchEvent> = true;
const resetEventKeys: SameKeys<client.ResetEvent, decl.ResetEvent> = true;
const resetEvent: Fits<client.ResetEvent, decl.ResetEvent> = true;
const digestKeys: SameKeys<digest.Digest, decl.Digest> = true;
const digestType: Fits<digest.Digest, decl.Digest> = true;

const syncroOptionsKeys: SameKeys<client.SyncroOptions, decl.SyncroOptions> = true;
const syncroOptions: Fits<decl.SyncroOptions, client.SyncroOptions> = true;
const backoffOptionsKeys: SameKeys<backoff.BackoffOptions, decl.BackoffOptions> = true;
const backoffOptions: Fits<decl.BackoffOptions, backoff.BackoffOptions> = true;

const storeKeys: SameKeys<stores.Store, decl.Store> = true;
const store: Fits<decl.Store, stores.Store> = true;
const storeBack: Fits<stores.Store, decl.Store> = true;
const storedStateKeys: SameKeys<stores.StoredState, decl.StoredState> = true;
const storedState: Fits<decl.StoredState, stores.StoredState> = true;
const storedStateBack: Fits<stores.StoredState, decl.StoredState> = true;
const storeChangeKeys: SameKeys<stores.StoreChange, decl.StoreChange> = true;
const storeChange: Fits<stores.StoreChange, decl.StoreChange> = true;
const storedSubscriptionKeys: SameKeys<subscriptions.StoredSubscription, decl.StoredSubscription> = true;
const storedSubscription: Fits<decl.StoredSubscription, subscriptions.StoredSubscription> = true;
const storedSubscriptionBack: Fits<subscriptions.StoredSubscription, decl.StoredSubscription> = true;
const scribeKeys: SameKeys<records.Scribe, decl.Scribe> = true;
const scribe: Fits<records.Scribe, decl.Scribe> = true;
const scribeBack: Fits<decl.Scribe, records.Scribe> = true;

const subscription: Fits<src.Syncro['subscriptions'][number], decl.Subscription> = true;
const snapshot: Fits<ReturnType<src.MemoryStore['snapshot']>, decl.MemoryStoreSnapshot> = true;

package io.syncro.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import io.syncro.client.LocalStore.StoredSubscription;
import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import io.syncro.session.Session;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client's subscriptions (protocol v2, PROTOCOL.md section 8.7), kept in its store so
 * that they hold offline and across restarts, and sent on every connection; an
 * unsubscribe made offline waits in the store for the next one.
 */
final class Subscriptions {

	private final LocalStore store;

	private final Consumer<Throwable> errors;

	private final Object lock = new Object();

	// guarded by lock: by scope and parameters, in the order made
	private final Map<Key, StoredSubscription> entries = new LinkedHashMap<>();

	// guarded by lock: the calls waiting for the server's answer
	private final Map<Key, List<Waiter>> waiters = new LinkedHashMap<>();

	// guarded by lock: the v2 session the entries were sent on
	private @Nullable Session session;

	Subscriptions(LocalStore store, Consumer<Throwable> errors) {
		this.store = store;
		this.errors = errors;
		for (StoredSubscription stored : store.subscriptions()) {
			this.entries.put(new Key(stored.scope(), stored.params()), stored);
		}
	}

	List<StoredSubscription> active() {
		synchronized (this.lock) {
			return this.entries.values().stream().filter(StoredSubscription::on).toList();
		}
	}

	CompletableFuture<JsonNode> change(String scope, ObjectNode params, boolean on) {
		Key key = new Key(scope, params.deepCopy());
		CompletableFuture<JsonNode> answered = new CompletableFuture<>();
		StoredSubscription entry;
		Session open;
		synchronized (this.lock) {
			StoredSubscription old = this.entries.remove(key);
			entry = new StoredSubscription(scope, key.params(), on, old != null && old.confirmed());
			this.entries.put(key, entry);
			persist();
			this.waiters.computeIfAbsent(key, (waiting) -> new ArrayList<>()).add(new Waiter(on, answered));
			open = this.session;
		}
		if (open != null && !open.isClosed()) {
			send(open, key, entry);
		}
		return answered;
	}

	/**
	 * A v2 session is open: every subscription, and every unsubscribe not yet answered,
	 * goes on it.
	 */
	void connected(Session session) {
		Map<Key, StoredSubscription> sending;
		synchronized (this.lock) {
			this.session = session;
			sending = new LinkedHashMap<>(this.entries);
		}
		sending.forEach((key, entry) -> send(session, key, entry));
	}

	/** The connection speaks v1, which has no subscriptions: the calls waiting fail. */
	void unsupported() {
		failWaiting(new SyncroException(ErrorCodes.UNKNOWN_TYPE, "The server speaks protocol v1, which has no subscriptions."));
	}

	/**
	 * The client closed: the calls waiting fail, as no connection will answer them (the
	 * subscriptions stay stored for the next client of the store).
	 */
	void closed() {
		failWaiting(new IllegalStateException("The client is closed"));
	}

	private void failWaiting(Exception failure) {
		List<Waiter> failing = new ArrayList<>();
		synchronized (this.lock) {
			this.session = null;
			this.waiters.values().forEach(failing::addAll);
			this.waiters.clear();
		}
		failing.forEach((waiter) -> waiter.answer().completeExceptionally(failure));
	}

	private void send(Session session, Key key, StoredSubscription entry) {
		CompletableFuture<JsonNode> reply = entry.on() ? session.subscribe(entry.scope(), entry.params())
				: session.unsubscribe(entry.scope(), entry.params());
		reply.whenComplete((result, failure) -> answered(session, key, entry, result, unwrap(failure)));
	}

	private void answered(Session session, Key key, StoredSubscription entry, @Nullable JsonNode result,
			@Nullable Throwable failure) {
		boolean refused = failure instanceof SyncroException error && ErrorCodes.isFinal(error.getCode());
		if (failure != null && !refused) {
			// the connection dropped, or the answer timed out: sent again on the next connection
			return;
		}
		List<Waiter> answering;
		StoredSubscription resend = null;
		synchronized (this.lock) {
			if (this.entries.get(key) != entry) {
				return;
			}
			if (entry.on() && !refused) {
				this.entries.put(key, new StoredSubscription(entry.scope(), entry.params(), true, true));
			}
			else if (entry.on() && entry.confirmed()) {
				// refused now (the user left the list, say): unsubscribe, so that the klass
				// holds what the remaining subscriptions give
				resend = new StoredSubscription(entry.scope(), entry.params(), false, true);
				this.entries.put(key, resend);
			}
			else {
				this.entries.remove(key);
			}
			persist();
			answering = this.waiters.remove(key);
		}
		if (resend != null && !session.isClosed()) {
			send(session, key, resend);
		}
		if (answering == null) {
			if (refused && entry.on()) {
				this.errors.accept(failure);
			}
			return;
		}
		for (Waiter waiter : answering) {
			if (failure != null && (waiter.on() || ((SyncroException) failure).getCode() != ErrorCodes.NOT_FOUND)) {
				waiter.answer().completeExceptionally(failure);
			}
			else {
				waiter.answer().complete(result);
			}
		}
	}

	// called holding lock
	private void persist() {
		this.store.writeSubscriptions(List.copyOf(this.entries.values()));
	}

	private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	private record Key(String scope, ObjectNode params) {
	}

	private record Waiter(boolean on, CompletableFuture<JsonNode> answer) {
	}

}

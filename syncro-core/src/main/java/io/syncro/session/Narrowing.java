package io.syncro.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.syncro.protocol.SyncroException;
import io.syncro.scope.ScopedRecords;
import io.syncro.scope.Scopes;
import io.syncro.scope.Subscription;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One connection's subscriptions (PROTOCOL.md section 8.7), and what its client holds of
 * each klass they narrow. A klass without subscriptions is not narrowed: its scribes go as
 * the log gives them. For a narrowed klass, each scribe is checked against the record as
 * it is now, and goes as it is, as a {@code create} of the record's current state (it
 * moved into the client's scopes), as a {@code destroy} (it moved out), or not at all.
 * <p>
 * A change of a klass's subscriptions starts a <em>reset</em> of that klass: its records
 * under the new subscriptions are sent in batches, before any further push, and what the
 * client holds of it starts over with them. Not thread-safe: the delivery calls it
 * holding its lock.
 */
final class Narrowing {

	/** The most subscriptions one connection holds. */
	static final int MAX_SUBSCRIPTIONS = 100;

	/** How many skipped scribe ids are remembered, for the answers that land on them. */
	private static final int SKIPPED_REMEMBERED = 4096;

	private final Scopes scopes;

	private final Identity who;

	// what the client subscribed to, by klass
	private final Map<String, List<Subscription>> subscriptions = new HashMap<>();

	// the narrowed klasses: what the client holds of each
	private final Map<String, View> views = new HashMap<>();

	private final ArrayDeque<Reset> resets = new ArrayDeque<>();

	private final Set<Long> skipped = new LinkedHashSet<>();

	// the klasses reset on this connection: the client holds them as tables gave them
	private final Set<String> reset = new HashSet<>();

	Narrowing(Scopes scopes, Identity who) {
		this.scopes = scopes;
		this.who = who;
	}

	/**
	 * Adds a subscription and queues the reset of its klass.
	 * @param requestId the client's {@code subscribe}, answered once the reset is sent
	 * @param subscription the subscription
	 */
	void subscribe(long requestId, Subscription subscription) {
		List<Subscription> ofKlass = this.subscriptions.computeIfAbsent(subscription.klass(), (klass) -> new ArrayList<>());
		if (ofKlass.stream().noneMatch((held) -> held.is(subscription.scope(), subscription.params()))) {
			if (count() >= MAX_SUBSCRIPTIONS) {
				throw SyncroException.badRequest("A connection holds at most " + MAX_SUBSCRIPTIONS + " subscriptions.");
			}
			ofKlass.add(subscription);
		}
		queueReset(subscription.klass(), requestId);
	}

	/**
	 * Removes a subscription, if the client has it, and queues the reset of its klass.
	 * @param requestId the client's {@code unsubscribe}, answered once the reset is sent
	 * @param klass the klass the scope narrows
	 * @param scope the scope's name
	 * @param params its parameters
	 */
	void unsubscribe(long requestId, String klass, String scope, JsonNode params) {
		List<Subscription> ofKlass = this.subscriptions.get(klass);
		if (ofKlass != null) {
			ofKlass.removeIf((held) -> held.is(scope, params));
			if (ofKlass.isEmpty()) {
				this.subscriptions.remove(klass);
			}
		}
		queueReset(klass, requestId);
	}

	private int count() {
		return this.subscriptions.values().stream().mapToInt(List::size).sum();
	}

	/**
	 * Queues the reset of a klass with the subscriptions the client holds, as a client asks
	 * for when a digest showed its copy differs.
	 * @param requestId the client's {@code rebuild}, answered once the reset is sent
	 * @param klass the klass
	 */
	void rebuild(long requestId, String klass) {
		queueReset(klass, requestId);
	}

	/**
	 * The klasses a digest leaves out on this connection: those reset on it, whose records
	 * came from the tables as they were when read, which may be ahead of the log.
	 * @return the klasses
	 */
	Set<String> unverified() {
		return Set.copyOf(this.reset);
	}

	private void queueReset(String klass, long requestId) {
		this.reset.add(klass);
		for (Reset queued : this.resets) {
			if (queued.klass.equals(klass) && !queued.started) {
				queued.requestIds.add(requestId);
				return;
			}
		}
		Reset reset = new Reset(klass);
		reset.requestIds.add(requestId);
		this.resets.add(reset);
	}

	/**
	 * The reset to send next, started if it was not: from then on its klass is narrowed by
	 * the subscriptions the client holds now, and the client holds nothing of it but what
	 * is sent.
	 * @return the reset, or {@code null} when none waits
	 */
	@Nullable Reset reset() {
		Reset reset = this.resets.peekFirst();
		if (reset != null && !reset.started) {
			reset.started = true;
			List<Subscription> ofKlass = List.copyOf(this.subscriptions.getOrDefault(reset.klass, List.of()));
			reset.records = this.scopes.records(reset.klass, ofKlass, this.who);
			this.views.put(reset.klass, new View(reset.records, ofKlass.isEmpty()));
		}
		return reset;
	}

	/**
	 * Notes records sent by the reset under way.
	 * @param recordIds their ids
	 * @param next where the reset goes on, or {@code null} when these were its last
	 * @return the reset's requests to answer, when it ended
	 */
	List<Long> sent(List<String> recordIds, @Nullable String next) {
		Reset reset = this.resets.getFirst();
		View view = this.views.get(reset.klass);
		view.held.addAll(recordIds);
		reset.first = false;
		reset.cursor = next;
		if (next != null) {
			return List.of();
		}
		this.resets.removeFirst();
		if (view.everything && this.views.get(reset.klass) == view) {
			// back to every record its policy gives: the log says all there is to say
			this.views.remove(reset.klass);
		}
		return reset.requestIds;
	}

	/**
	 * What to send for a scribe the log gives the client.
	 * @param scribe the scribe
	 * @param decided the highest id already decided on this connection: a narrowed klass's
	 * scribe up to it was sent, or skipped, before, and is not sent again
	 * @return the scribe itself, its replacement, or {@code null} to send nothing
	 */
	@Nullable Scribe narrow(Scribe scribe, long decided) {
		View view = this.views.get(scribe.klass());
		if (view == null) {
			return scribe;
		}
		if (scribe.id() <= decided) {
			return null;
		}
		String recordId = scribe.recordId();
		boolean held = view.held.contains(recordId);
		if (scribe.type() == ScribeType.DESTROY) {
			return held ? scribe : skip(scribe);
		}
		ObjectNode now = view.records.find(recordId);
		if (now != null) {
			return held ? scribe : new Scribe(scribe.id(), scribe.klass(), ScribeType.CREATE, now);
		}
		return held ? Scribe.destroy(scribe.klass(), recordId).withId(scribe.id()) : skip(scribe);
	}

	/**
	 * Notes a scribe that {@link #narrow} gave, once sent.
	 * @param sent the scribe sent
	 */
	void sent(Scribe sent) {
		View view = this.views.get(sent.klass());
		if (view != null) {
			if (sent.type() == ScribeType.DESTROY) {
				view.held.remove(sent.recordId());
			}
			else {
				view.held.add(sent.recordId());
			}
		}
	}

	private @Nullable Scribe skip(Scribe scribe) {
		this.skipped.add(scribe.id());
		if (this.skipped.size() > SKIPPED_REMEMBERED) {
			Iterator<Long> oldest = this.skipped.iterator();
			oldest.next();
			oldest.remove();
		}
		return null;
	}

	/**
	 * Whether a scribe of a narrowed klass was left out for this client, so an answer
	 * cannot say its write landed there.
	 * @param scribeId a server scribe id
	 * @return whether it was skipped
	 */
	boolean skipped(long scribeId) {
		return this.skipped.contains(scribeId);
	}

	/**
	 * The subscriptions of a klass, for operators.
	 * @param klass the klass
	 * @return the subscriptions
	 */
	List<Subscription> subscriptions(String klass) {
		return List.copyOf(this.subscriptions.getOrDefault(klass, List.of()));
	}

	/**
	 * A reset of one klass's records.
	 */
	static final class Reset {

		final String klass;

		final List<Long> requestIds = new ArrayList<>();

		boolean started;

		boolean first = true;

		@Nullable String cursor;

		@Nullable ScopedRecords records;

		Reset(String klass) {
			this.klass = klass;
		}

	}

	/**
	 * A narrowed klass: how its records are read, and the ids of those the client holds.
	 */
	private static final class View {

		final ScopedRecords records;

		final boolean everything;

		final Set<String> held = new HashSet<>();

		View(ScopedRecords records, boolean everything) {
			this.records = records;
			this.everything = everything;
		}

	}

}

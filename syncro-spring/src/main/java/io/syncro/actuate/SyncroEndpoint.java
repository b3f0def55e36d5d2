package io.syncro.actuate;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import io.syncro.protocol.SyncroException;
import io.syncro.recording.Explanation;
import io.syncro.recording.SyncableEntities;
import io.syncro.scope.Subscription;
import io.syncro.scribe.Identity;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import io.syncro.store.LogCompactor;
import io.syncro.store.ScribeLog;
import io.syncro.store.ScribeOutbox;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * Syncro's Actuator endpoint, {@code /actuator/syncro}. For operators:
 * {@code /actuator/syncro} gives this node's state: its store, the log's head and
 * horizon, the sessions open on this node with each one's position and lag (the most
 * behind first, up to {@value #LISTED_SESSIONS}), the outbox's backlog and the latest
 * compaction where compaction runs. {@code /actuator/syncro/explain?klass=Todo&id=42&user=alice} (or {@code client=<uid>}
 * in place of {@code user}) says whether that user's clients, or that client, receive the
 * record, and why: the policy that decides, the recipients it gives the record, and the
 * keys of the client they name. A user is taken without authorities, and a client as the
 * user its uid is bound to; recipients by uid name no user's clients. For a client whose
 * connection to this node subscribes to scopes of the klass (protocol v2), it names them
 * and says whether they hold the record. Expose it with
 * {@code management.endpoints.web.exposure.include=syncro}, and secure it: it tells who
 * sees what.
 *
 * @since 0.2.0
 */
@Endpoint(id = "syncro")
public class SyncroEndpoint {

	/** The most sessions listed by {@link #status()}; all are counted. */
	public static final int LISTED_SESSIONS = 100;

	private final SyncableEntities entities;

	private final SyncroEngine engine;

	private final @Nullable ScribeOutbox outbox;

	private final @Nullable LogCompactor compactor;

	/**
	 * Creates the endpoint.
	 * @param entities the synchronised entities, for explain
	 * @param engine the engine
	 * @param outbox the outbox, or {@code null} without one
	 * @param compactor the log's compactor, or {@code null} when compaction is off
	 */
	public SyncroEndpoint(SyncableEntities entities, SyncroEngine engine, @Nullable ScribeOutbox outbox,
			@Nullable LogCompactor compactor) {
		this.entities = entities;
		this.engine = engine;
		this.outbox = outbox;
		this.compactor = compactor;
	}

	/**
	 * This node's state.
	 * @return the state
	 */
	@ReadOperation
	public Status status() {
		ScribeLog log = this.engine.log();
		long head = log.head();
		List<SessionState> sessions = this.engine.sessions()
			.stream()
			.map((session) -> SessionState.of(session, head))
			.sorted(Comparator.comparingLong(SessionState::lag).reversed())
			.toList();
		Compaction compaction = (this.compactor != null)
				? new Compaction(log.horizon(), this.compactor.last()) : null;
		return new Status(this.engine.settings().uid(), log.store(), head, log.horizon(), sessions.size(),
				sessions.subList(0, Math.min(sessions.size(), LISTED_SESSIONS)),
				(this.outbox != null) ? this.outbox.pending() : null, compaction);
	}

	/**
	 * Explains whether a user or a client receives a record.
	 * @param operation {@code explain}
	 * @param klass the record's klass
	 * @param id the record's id
	 * @param user the user, or {@code null} when a client is named
	 * @param client the client uid, or {@code null} when a user is named
	 * @return the explanation, or {@code null} (404) for another operation
	 */
	@ReadOperation
	public @Nullable Explanation explain(@Selector String operation, String klass, String id, @Nullable String user,
			@Nullable String client) {
		if (!"explain".equals(operation)) {
			return null;
		}
		if ((user == null) == (client == null)) {
			throw SyncroException.badRequest("Name either a user or a client.");
		}
		Identity who = (client != null)
				? Identity.of(client, this.engine.clients().principal(client).orElse(null), Set.of())
				: Identity.of("-", user, Set.of());
		Explanation explanation = this.entities.explain(klass, id, who);
		if (client == null || !explanation.exists()) {
			return explanation;
		}
		for (Session session : this.engine.sessions()) {
			List<Subscription> subscriptions = session.peer().equals(client) ? session.subscriptions(klass) : List.of();
			if (!subscriptions.isEmpty()) {
				boolean held = this.engine.scopes().records(klass, subscriptions, session.identity()).find(id) != null;
				return explanation.narrowed(subscriptions.stream().map(Subscription::toString).toList(), held);
			}
		}
		return explanation;
	}

	/**
	 * A node's state.
	 *
	 * @param serverId the server's client uid ({@code syncro.server-id})
	 * @param store where the log keeps scribes: {@code memory}, {@code jdbc}, {@code redis}
	 * @param head the highest scribe id appended
	 * @param horizon the compacted log's horizon, 0 when nothing was compacted
	 * @param sessionCount the sessions open on this node
	 * @param sessions the most behind of them
	 * @param outboxPending the transactions whose scribes wait in the outbox, or
	 * {@code null} without one
	 * @param compaction the compaction state, or {@code null} when compaction is off
	 */
	public record Status(String serverId, String store, long head, long horizon, int sessionCount,
			List<SessionState> sessions, @Nullable Long outboxPending, @Nullable Compaction compaction) {
	}

	/**
	 * A session open on this node.
	 *
	 * @param client the client's uid
	 * @param user the user it is bound to, or {@code null}
	 * @param protocol the protocol version it speaks
	 * @param live whether it receives new scribes as they are appended
	 * @param position the highest scribe id sent to it or read past for it
	 * @param lag the log's head less its position
	 * @param pendingMessages the messages waiting to be written to it
	 */
	public record SessionState(String client, @Nullable String user, int protocol, boolean live, long position,
			long lag, int pendingMessages) {

		static SessionState of(Session session, long head) {
			long position = session.position();
			return new SessionState(session.peer(), session.user(), session.version(), session.isLive(), position,
					Math.max(0, head - position), session.pendingMessages());
		}

	}

	/**
	 * The compaction state.
	 *
	 * @param horizon the log's horizon
	 * @param last the latest compaction, or {@code null} before the first
	 */
	public record Compaction(long horizon, LogCompactor.@Nullable Run last) {
	}

}

package io.syncro.actuate;

import java.util.List;
import java.util.Set;

import io.syncro.protocol.SyncroException;
import io.syncro.recording.Explanation;
import io.syncro.recording.SyncableEntities;
import io.syncro.scope.Subscription;
import io.syncro.scribe.Identity;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * Syncro's Actuator endpoint, {@code /actuator/syncro}. For operators:
 * {@code /actuator/syncro/explain?klass=Todo&id=42&user=alice} (or {@code client=<uid>}
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

	private final SyncableEntities entities;

	private final SyncroEngine engine;

	public SyncroEndpoint(SyncableEntities entities, SyncroEngine engine) {
		this.entities = entities;
		this.engine = engine;
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

}

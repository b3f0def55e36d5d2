package io.syncro.actuate;

import java.util.Set;

import io.syncro.protocol.SyncroException;
import io.syncro.recording.Explanation;
import io.syncro.recording.SyncableEntities;
import io.syncro.scribe.Identity;
import io.syncro.store.ClientStore;
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
 * user its uid is bound to; recipients by uid name no user's clients. Expose it with
 * {@code management.endpoints.web.exposure.include=syncro}, and secure it: it tells who
 * sees what.
 *
 * @since 0.2.0
 */
@Endpoint(id = "syncro")
public class SyncroEndpoint {

	private final SyncableEntities entities;

	private final ClientStore clients;

	public SyncroEndpoint(SyncableEntities entities, ClientStore clients) {
		this.entities = entities;
		this.clients = clients;
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
		Identity who = (client != null) ? Identity.of(client, this.clients.principal(client).orElse(null), Set.of())
				: Identity.of("-", user, Set.of());
		return this.entities.explain(klass, id, who);
	}

}

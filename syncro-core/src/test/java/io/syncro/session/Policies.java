package io.syncro.session;

import io.syncro.play.SyncroPolicy;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policies used by the session tests.
 */
final class Policies {

	private Policies() {
	}

	/**
	 * Every client receives every record and may write every record: a client's policy
	 * (the server is authoritative) or an open server class.
	 */
	static SyncroPolicy<ObjectNode> open() {
		return new SyncroPolicy<>() {

			@Override
			public boolean authorize(Scribe scribe, String client, @Nullable ObjectNode existing) {
				return true;
			}

		};
	}

	/**
	 * A record goes only to its {@code owner}; a client may create records it owns and
	 * change records it owns.
	 */
	static SyncroPolicy<ObjectNode> ownerOnly() {
		return new SyncroPolicy<>() {

			@Override
			public Recipients recipients(ObjectNode record) {
				return Recipients.only(record.path("owner").asString(""));
			}

			@Override
			public boolean authorize(Scribe scribe, String client, @Nullable ObjectNode existing) {
				if (existing != null) {
					return client.equals(existing.path("owner").asString(""));
				}
				return client.equals(scribe.attributes().path("owner").asString(""));
			}

		};
	}

}

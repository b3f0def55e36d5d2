package io.syncro.scope;

import java.util.List;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Identity;
import tools.jackson.databind.JsonNode;

/**
 * The named scopes a server offers its v2 clients (PROTOCOL.md section 8.7): each narrows
 * one klass to the records a query with bound parameters selects, among those the klass's
 * policy gives the client.
 *
 * @since 0.2.0
 */
public interface Scopes {

	/** No scopes: every subscription is refused with 404. */
	Scopes NONE = new Scopes() {

		@Override
		public String klassOf(String scope) {
			throw unknown(scope);
		}

		@Override
		public Subscription subscription(String scope, JsonNode params, Identity who) {
			throw unknown(scope);
		}

		@Override
		public ScopedRecords records(String klass, List<Subscription> subscriptions, Identity who) {
			throw new IllegalStateException("There are no scopes, so no klass is narrowed by one");
		}

		@Override
		public String klass(String klass) {
			throw new SyncroException(ErrorCodes.UNKNOWN_TYPE,
					"This server cannot send a klass's records again; sync again from nothing.");
		}

	};

	/**
	 * The klass a scope narrows.
	 * @param scope the scope's name
	 * @return the klass
	 * @throws SyncroException with code 404 for an unknown scope
	 */
	String klassOf(String scope);

	/**
	 * Checks a client's subscription to a scope and binds its parameters.
	 * @param scope the scope's name
	 * @param params its parameters, a JSON object
	 * @param who the client
	 * @return the subscription
	 * @throws SyncroException with code 404 for an unknown scope, 400 for bad parameters,
	 * 403 when the client may not subscribe to it
	 */
	Subscription subscription(String scope, JsonNode params, Identity who);

	/**
	 * The records of a klass a client receives under its subscriptions to that klass.
	 * @param klass the klass
	 * @param subscriptions the client's subscriptions to it; none for every record its
	 * policy gives the client
	 * @param who the client
	 * @return the records, read when asked
	 */
	ScopedRecords records(String klass, List<Subscription> subscriptions, Identity who);

	/**
	 * Checks that the records of a klass can be sent ({@link #records} with no
	 * subscriptions), as a client asks for after a digest showed its copy of the klass
	 * differs (docs/PROTOCOL.md section 8.9).
	 * @param klass the klass
	 * @return the klass
	 * @throws SyncroException with code 404 for a klass that is not synchronised, 501 when
	 * this server cannot read records
	 */
	String klass(String klass);

	/**
	 * The error for a scope nobody declared.
	 * @param scope the scope's name
	 * @return a 404
	 */
	static SyncroException unknown(String scope) {
		return new SyncroException(ErrorCodes.NOT_FOUND, "There is no scope named '" + abbreviate(scope) + "'.");
	}

	private static String abbreviate(String text) {
		return (text.length() <= 64) ? text : text.substring(0, 64) + "…";
	}

}

package io.syncro.sample.chaos;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What one client holds after the run, as it reports it.
 * @param uid the client uid
 * @param user the sample user it is signed in as, whose Pages it should hold
 * @param kind {@code java} or {@code js}
 * @param status the client's status
 * @param pending its pending writes
 * @param position the highest server scribe id it processed (0 if none)
 * @param lastScribeId what {@code Syncro.last_scribe_id} answered it, or {@code null} if
 * the call failed
 * @param problem why the call failed, or other trouble the client reported
 * @param subscriptions how many scopes it subscribes to
 * @param restarts how often it started over from nothing (the server's log held another
 * history, or was compacted past its position)
 * @param mismatches how often its records of a klass differed from the server's digest
 * (docs/PROTOCOL.md section 8.9), a last check at the end of the run included
 * @param records its records by klass and id
 * @param notes counts the client keeps, such as refusals and conflicts, for the report
 */
record ClientState(String uid, String user, String kind, String status, int pending, long position,
		@Nullable Long lastScribeId, @Nullable String problem, int subscriptions, int restarts, long mismatches, Map<String, Map<String, JsonNode>> records,
		String notes) {

	/**
	 * The client's records of one klass, by id.
	 */
	Map<String, JsonNode> records(String klass) {
		return this.records.getOrDefault(klass, Map.of());
	}

}

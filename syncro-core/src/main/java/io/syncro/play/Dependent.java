package io.syncro.play;

import io.syncro.scribe.Recipients;

/**
 * A record whose recipients follow from another record's, with its recipients as they
 * follow from that record as given: a Todo of a list, seen by the list's members. See
 * {@link SyncroPolicy#dependents}.
 *
 * @param record the dependent record, a synchronised entity
 * @param recipients its recipients, computed from the given record, not loaded anew
 * @since 0.2.0
 */
public record Dependent(Object record, Recipients recipients) {

	public Dependent {
		if (record == null || recipients == null) {
			throw new IllegalArgumentException("Record and recipients must not be null");
		}
	}

}

package io.syncro.client;

import io.syncro.protocol.RecordDigest;

/**
 * The records of a klass that a {@link SyncroClient} held, as the server confirmed them,
 * differed from the server's digest of those the client may see (protocol version 2,
 * docs/PROTOCOL.md section 8.9). The client has the server send the klass again (or, from a
 * server that cannot, syncs again from nothing). Should not happen: it says a bug or a
 * lost change, somewhere between the server's log and this client's store.
 *
 * @param klass the klass
 * @param at the position the digest is of
 * @param expected the server's digest
 * @param actual this client's
 * @since 0.2.0
 */
public record MismatchEvent(String klass, long at, RecordDigest expected, RecordDigest actual) {
}

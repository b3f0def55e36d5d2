package io.syncro.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The protocol versions a connection may speak, negotiated at the handshake: the client
 * asks with the {@code v} parameter, and the server speaks the lower of that and the
 * newest version it knows. A client that asks for nothing speaks version 1.
 *
 * @since 0.1.0
 */
public final class ProtocolVersion {

	/** The first version, fixed: no {@code hello}, no echo of a client's own scribes. */
	public static final int V1 = 1;

	/** Adds {@code hello}, own scribes, batched pushes and where a write landed. */
	public static final int V2 = 2;

	/** The newest version this implementation speaks. */
	public static final int LATEST = V2;

	private ProtocolVersion() {
	}

	/**
	 * The version a connection speaks, from what the client asked.
	 * @param asked the handshake's {@code v} parameter, or {@code null} when absent
	 * @return the version to speak
	 * @throws SyncroException with code 400 when the parameter is not a positive integer
	 */
	public static int negotiate(@Nullable String asked) {
		if (asked == null) {
			return V1;
		}
		if (!asked.matches("[1-9][0-9]{0,8}")) {
			throw SyncroException.badRequest("The protocol version 'v' must be a positive integer.");
		}
		return Math.min(Integer.parseInt(asked), LATEST);
	}

}

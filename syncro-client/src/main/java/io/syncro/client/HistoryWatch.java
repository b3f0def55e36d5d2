package io.syncro.client;

import java.io.IOException;
import java.util.function.Supplier;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.Message;
import io.syncro.protocol.MessageCodec;
import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.SyncroException;
import io.syncro.session.Connection;
import org.jspecify.annotations.Nullable;

/**
 * What one connection says of the server's history, read on the wire between the
 * transport and the engine's session: the epoch the server's {@code hello} names, the
 * server's mark in each of its pulls, and a 410 that refuses this client's sync from its
 * position. In protocol v2 it also names the position's epoch in this client's syncs.
 * <p>
 * The engine's session knows nothing of epochs on the client's side, so this is done
 * here, by message: only messages that may be one of those few are parsed.
 */
final class HistoryWatch {

	private final Connection connection;

	private final Supplier<@Nullable String> epoch;

	private final boolean asksForV2;

	private volatile boolean speaksV2;

	// the client's latest sync: the session sends the next one after its answer
	private volatile long syncId = -1;

	private volatile @Nullable Long syncFrom;

	/**
	 * Watches a connection.
	 * @param connection where the client's session sends
	 * @param epoch the epoch of the client's position, or {@code null}
	 * @param asksForV2 whether the client asked for protocol v2
	 */
	HistoryWatch(Connection connection, Supplier<@Nullable String> epoch, boolean asksForV2) {
		this.connection = connection;
		this.epoch = epoch;
		this.asksForV2 = asksForV2;
	}

	/**
	 * Where the client's session sends: the connection, with the epoch named in the
	 * client's syncs from a position when the connection speaks v2.
	 * @return the connection to hand the session
	 */
	Connection connection() {
		return new Syncs();
	}

	/**
	 * Reads a message the server sent, before the session handles it.
	 * @param message the message's JSON text
	 * @return what it says of the server's history, or {@code null} for nothing
	 */
	@Nullable Notice read(String message) {
		if (!message.contains("\"hello\"") && !message.contains("\"sync\"")
				&& !(message.contains("\"error\"") && message.contains("410"))) {
			return null;
		}
		Message decoded;
		try {
			decoded = MessageCodec.decode(message);
		}
		catch (SyncroException ex) {
			// the session answers or drops it
			return null;
		}
		if (decoded instanceof Message.Hello hello) {
			if (!this.asksForV2 || hello.version() < ProtocolVersion.V2) {
				return null;
			}
			this.speaksV2 = true;
			return new Notice.Hello(hello.epoch());
		}
		if (decoded instanceof Message.Sync pull) {
			return new Notice.Pull((pull.from() != null) ? pull.from() : 0);
		}
		if (decoded instanceof Message.Error error && error.code() == ErrorCodes.GONE && error.scribe() == null
				&& error.id() != null && error.id() == this.syncId) {
			return new Notice.Gone(this.syncFrom);
		}
		return null;
	}

	/**
	 * What a message says of the server's history.
	 */
	sealed interface Notice {

		/**
		 * The server's {@code hello} on a connection that speaks protocol v2.
		 * @param epoch the epoch it names, or {@code null} for none
		 */
		record Hello(@Nullable String epoch) implements Notice {
		}

		/**
		 * The server's pull of this client's scribes.
		 * @param from the server's mark, 0 for none
		 */
		record Pull(long from) implements Notice {
		}

		/**
		 * The server refused this client's latest sync with 410.
		 * @param from the position it was from, or {@code null} for nothing
		 */
		record Gone(@Nullable Long from) implements Notice {
		}

	}

	/**
	 * The connection as the session sees it: the client's syncs are noted, and in v2
	 * those from a position name its epoch.
	 */
	private final class Syncs implements Connection {

		@Override
		public void send(String message) throws IOException {
			HistoryWatch.this.connection.send(message.contains("\"sync\"") ? noted(message) : message);
		}

		private String noted(String message) {
			Message decoded;
			try {
				decoded = MessageCodec.decode(message);
			}
			catch (SyncroException ex) {
				return message;
			}
			if (!(decoded instanceof Message.Sync sync)) {
				return message;
			}
			HistoryWatch.this.syncFrom = sync.from();
			HistoryWatch.this.syncId = sync.id();
			String epoch = HistoryWatch.this.epoch.get();
			if (sync.from() == null || epoch == null || !HistoryWatch.this.speaksV2) {
				return message;
			}
			return MessageCodec.encode(new Message.Sync(sync.id(), sync.from(), epoch));
		}

		@Override
		public void flush() throws IOException {
			HistoryWatch.this.connection.flush();
		}

		@Override
		public void close(int code, String reason) {
			HistoryWatch.this.connection.close(code, reason);
		}

		@Override
		public int maxMessageBytes() {
			return HistoryWatch.this.connection.maxMessageBytes();
		}

	}

}

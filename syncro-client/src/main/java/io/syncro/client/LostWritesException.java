package io.syncro.client;

/**
 * The server pulled a {@link SyncroClient}'s changes from below a mark it had before (or
 * answered one with a 409 that expects a change below it): it lost changes of this client
 * that it had already settled (played or refused), as a server set back to a backup, or
 * one whose store restarted without its data, does; a server that forgot this client's
 * uid (unseen for {@code syncro.clients.expire-after}) pulls from 0 and is reported too,
 * though it still holds what those changes did. Told to {@link SyncroClient#onError error}
 * listeners; the client goes on, taking the lower mark as the server's from then on, and
 * renumbers its queued changes from the one after it, so that the server takes them.
 *
 * @since 0.1.0
 */
public final class LostWritesException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final long lost;

	private final long mark;

	/**
	 * Creates the report.
	 * @param lost how many of this client's changes the server lost
	 * @param known the highest mark the server was known to have
	 * @param mark the mark it pulled from now
	 */
	public LostWritesException(long lost, long known, long mark) {
		super("The server lost " + lost + " of this client's changes that it had settled: its mark went back from "
				+ known + " to " + mark);
		this.lost = lost;
		this.mark = mark;
	}

	/**
	 * How many of this client's changes the server lost.
	 * @return the count
	 */
	public long lost() {
		return this.lost;
	}

	/**
	 * The server's mark now: the highest client scribe id of this client it holds settled.
	 * @return the mark
	 */
	public long mark() {
		return this.mark;
	}

}

package io.syncro.sample.chaos;

import java.time.Duration;
import java.util.List;

/**
 * Clients of one kind that write at random during a run and then report what they hold.
 */
interface ChaosClients extends AutoCloseable {

	/**
	 * Stops writing and waits until the last change is made.
	 * @return what the clients did
	 */
	Ops stop() throws Exception;

	/**
	 * Waits, at most the given time, until every client is online with nothing pending.
	 * @return the clients that did not get there, with their status and pending count
	 */
	List<String> settle(Duration timeout) throws Exception;

	/**
	 * What every client holds now, and what the server answers each to
	 * {@code Syncro.last_scribe_id}.
	 */
	List<ClientState> report() throws Exception;

}

package io.syncro.testing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The requests of one connection that wait for their reply: it gives each request the
 * next id, matches a reply to it by that id, and fails them all when the connection
 * ends.
 */
final class Replies {

	private final AtomicLong ids;

	private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

	private volatile @Nullable Throwable ended;

	Replies(long firstId) {
		this.ids = new AtomicLong(firstId - 1);
	}

	/**
	 * Takes the next request id and waits for the reply to it.
	 * @return the id and its reply, which fails if the connection ends first
	 */
	WireClient.Request next() {
		long id = this.ids.incrementAndGet();
		CompletableFuture<JsonNode> reply = new CompletableFuture<>();
		this.waiting.put(id, reply);
		reply.whenComplete((result, failure) -> this.waiting.remove(id));
		Throwable failure = this.ended;
		if (failure != null) {
			reply.completeExceptionally(failure);
		}
		return new WireClient.Request(id, reply);
	}

	/**
	 * Hands a reply to the request it answers.
	 * @param id the reply's id
	 * @param reply the reply
	 * @return whether a request waited for it
	 */
	boolean complete(long id, JsonNode reply) {
		CompletableFuture<JsonNode> request = this.waiting.get(id);
		return request != null && request.complete(reply);
	}

	/**
	 * Fails every request still waiting, and every later one.
	 * @param failure why
	 */
	void end(Throwable failure) {
		this.ended = failure;
		this.waiting.values().forEach((reply) -> reply.completeExceptionally(failure));
	}

}

package io.syncro.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.syncro.session.EngineObserver;
import io.syncro.session.Session;
import io.syncro.session.SyncroEngine;

import org.springframework.util.Assert;

/**
 * Turns what a {@link SyncroEngine} does into Micrometer meters, the ones a user graphs:
 * <ul>
 * <li>{@code syncro.sessions}: the open sessions (gauge);</li>
 * <li>{@code syncro.sessions.pending}: the messages waiting to be written, over every
 * session (gauge);</li>
 * <li>{@code syncro.sessions.pending.max}: the most messages waiting to be written to
 * one session, to compare with {@code syncro.session.max-pending}, at which a session is
 * closed (gauge);</li>
 * <li>{@code syncro.scribes.appended}: scribes appended to the scribe log, on this node
 * or, for a log shared by several nodes, on any node, as this node learns of them
 * (counter; see {@link EngineObserver#scribesAppended});</li>
 * <li>{@code syncro.scribes.delivered}: scribes sent to peers, tagged {@code via}
 * {@code push} (live) or {@code sync} (in a {@code sync} answer) (counter);</li>
 * <li>{@code syncro.sync.requests}: {@code sync} requests of peers answered (counter);</li>
 * <li>{@code syncro.errors}: {@code error} messages sent to peers, tagged by {@code code}
 * (counter);</li>
 * <li>{@code syncro.delivery.lag}: the time from this node learning of a scribe's append
 * to its live push, queued for the connection (timer).</li>
 * </ul>
 * Give it to the engine as its {@link EngineObserver}; the meters are registered when it
 * is created. Counting costs no allocation per message.
 *
 * @since 0.1.0
 */
public final class SyncroMetrics implements EngineObserver {

	private final MeterRegistry registry;

	private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

	private final Counter appended;

	private final Counter pushed;

	private final Counter synced;

	private final Counter syncRequests;

	private final Timer deliveryLag;

	private final Map<Integer, Counter> errors = new ConcurrentHashMap<>();

	/**
	 * Creates the meters in a registry.
	 * @param registry where the meters go
	 */
	public SyncroMetrics(MeterRegistry registry) {
		Assert.notNull(registry, "MeterRegistry must not be null");
		this.registry = registry;
		Gauge.builder("syncro.sessions", this.sessions, Set::size)
			.description("Open sessions")
			.baseUnit("sessions")
			.register(registry);
		Gauge.builder("syncro.sessions.pending", this, SyncroMetrics::pendingTotal)
			.description("Messages waiting to be written, over every session")
			.baseUnit("messages")
			.register(registry);
		Gauge.builder("syncro.sessions.pending.max", this, SyncroMetrics::pendingMax)
			.description("Most messages waiting to be written to one session")
			.baseUnit("messages")
			.register(registry);
		this.appended = Counter.builder("syncro.scribes.appended")
			.description("Scribes appended to the scribe log, on any node, as this node learnt of them")
			.baseUnit("scribes")
			.register(registry);
		this.pushed = delivered("push", registry);
		this.synced = delivered("sync", registry);
		this.syncRequests = Counter.builder("syncro.sync.requests")
			.description("Sync requests of peers answered")
			.baseUnit("requests")
			.register(registry);
		this.deliveryLag = Timer.builder("syncro.delivery.lag")
			.description("Time from learning of a scribe's append to its live push")
			.register(registry);
	}

	private static Counter delivered(String via, MeterRegistry registry) {
		return Counter.builder("syncro.scribes.delivered")
			.description("Scribes sent to peers, live or in sync answers")
			.baseUnit("scribes")
			.tag("via", via)
			.register(registry);
	}

	@Override
	public void sessionOpened(Session session) {
		this.sessions.add(session);
	}

	@Override
	public void sessionClosed(Session session) {
		this.sessions.remove(session);
	}

	@Override
	public void scribesAppended(long count) {
		this.appended.increment(count);
	}

	@Override
	public void syncAnswered(Session session, int scribes) {
		this.syncRequests.increment();
		if (scribes > 0) {
			this.synced.increment(scribes);
		}
	}

	@Override
	public void scribePushed(Session session, long scribeId, long lagNanos) {
		this.pushed.increment();
		if (lagNanos >= 0) {
			this.deliveryLag.record(lagNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void errorSent(Session session, int code) {
		// errors are rare, and answering one allocates far more than this lookup
		this.errors.computeIfAbsent(code, this::errorCounter).increment();
	}

	private Counter errorCounter(int code) {
		return Counter.builder("syncro.errors")
			.description("Error messages sent to peers")
			.baseUnit("errors")
			.tag("code", Integer.toString(code))
			.register(this.registry);
	}

	private double pendingTotal() {
		long total = 0;
		for (Session session : this.sessions) {
			total += session.pendingMessages();
		}
		return total;
	}

	private double pendingMax() {
		int max = 0;
		for (Session session : this.sessions) {
			max = Math.max(max, session.pendingMessages());
		}
		return max;
	}

	@Override
	public String toString() {
		return "SyncroMetrics[" + this.registry + "]";
	}

}

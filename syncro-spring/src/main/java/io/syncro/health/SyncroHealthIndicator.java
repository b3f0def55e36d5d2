package io.syncro.health;

import io.syncro.session.SyncroEngine;
import io.syncro.store.ScribeLog;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.util.Assert;

/**
 * Reports whether the engine's scribe log answers: {@code UP} with the store it keeps
 * the scribes in ({@code store}: {@code memory}, {@code jdbc} or {@code redis}), the
 * highest scribe id the server could send (its own uid's {@link ScribeLog#lastId last
 * id}, {@code lastScribeId}) and the open sessions;
 * {@code DOWN} with the error when the log fails, as a JDBC or Redis log does while its
 * database is unreachable.
 *
 * @since 0.1.0
 */
public final class SyncroHealthIndicator extends AbstractHealthIndicator {

	private final SyncroEngine engine;

	/**
	 * Creates an indicator of an engine's scribe log.
	 * @param engine the engine
	 */
	public SyncroHealthIndicator(SyncroEngine engine) {
		super("Syncro's scribe log did not answer");
		Assert.notNull(engine, "SyncroEngine must not be null");
		this.engine = engine;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		ScribeLog log = this.engine.log();
		long lastId = log.lastId(this.engine.settings().uid());
		builder.up()
			.withDetail("store", log.store())
			.withDetail("lastScribeId", lastId)
			.withDetail("sessions", this.engine.sessions().size());
	}

}

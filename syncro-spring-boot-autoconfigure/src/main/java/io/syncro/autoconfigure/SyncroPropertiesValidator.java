package io.syncro.autoconfigure;

import java.time.Duration;

import io.syncro.protocol.InputLimits;
import io.syncro.scribe.Scribe;
import io.syncro.session.Session;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Fails start-up, naming the property, when a {@code syncro.*} value cannot work. It
 * checks {@link SyncroProperties} as soon as they are bound, before any bean is given
 * them, so the check holds whichever engine bean the application uses, Syncro's or its
 * own.
 *
 * @since 0.2.0
 */
final class SyncroPropertiesValidator implements BeanPostProcessor {

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof SyncroProperties properties) {
			validate(properties);
		}
		return bean;
	}

	/**
	 * Fails, naming the property, when a value cannot work.
	 * @param properties the bound properties
	 */
	static void validate(SyncroProperties properties) {
		if (!properties.getPath().startsWith("/")) {
			throw new InvalidConfigurationPropertyValueException("syncro.path", properties.getPath(), "It must start with '/'.");
		}
		if (!Session.isValidUid(properties.getServerId())) {
			throw new InvalidConfigurationPropertyValueException("syncro.server-id", properties.getServerId(),
					"It must be 1 to 64 characters of [A-Za-z0-9_.:-].");
		}
		long bytes = properties.getMaxMessageBytes().toBytes();
		if (bytes < 1024 || bytes > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException("syncro.max-message-bytes", properties.getMaxMessageBytes(),
					"It must be from 1KB to 2GB.");
		}
		if (properties.getRequestTimeout().isNegative() || properties.getRequestTimeout().isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.request-timeout", properties.getRequestTimeout(),
					"It must be positive.");
		}
		if (properties.getSync().getBatchSize() < 1 || properties.getSync().getBatchSize() > 10000) {
			throw new InvalidConfigurationPropertyValueException("syncro.sync.batch-size", properties.getSync().getBatchSize(),
					"It must be from 1 to 10000.");
		}
		validateLimits(properties);
		validateCompaction(properties.getLog().getCompaction());
		if (properties.getSync().getCachedTail() < 0) {
			throw new InvalidConfigurationPropertyValueException("syncro.sync.cached-tail", properties.getSync().getCachedTail(),
					"It must not be negative.");
		}
		if (properties.getSession().getMaxPending() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.session.max-pending", properties.getSession().getMaxPending(),
					"It must be positive.");
		}
		if (properties.getSession().getWindow() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.session.window", properties.getSession().getWindow(),
					"It must be positive.");
		}
		if (properties.getSession().getHeartbeat() == null || properties.getSession().getHeartbeat().isNegative() || properties.getSession().getHeartbeat().isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.session.heartbeat", properties.getSession().getHeartbeat(),
					"It must be positive.");
		}
		if (!properties.getJdbc().getTablePrefix().matches("[A-Za-z_][A-Za-z0-9_]{0,30}")) {
			throw new InvalidConfigurationPropertyValueException("syncro.jdbc.table-prefix", properties.getJdbc().getTablePrefix(),
					"It must be a plain SQL identifier prefix of letters, digits and underscores.");
		}
		if (!properties.getRedis().getNamespace().matches("[^\\s]{1,64}")) {
			throw new InvalidConfigurationPropertyValueException("syncro.redis.namespace", properties.getRedis().getNamespace(),
					"It must be 1 to 64 characters without white space.");
		}
		if (properties.getOutbox().getRelayInterval().isNegative() || properties.getOutbox().getRelayInterval().isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.outbox.relay-interval",
					properties.getOutbox().getRelayInterval(), "It must be positive.");
		}
		if (properties.getOutbox().getBatchSize() < 1 || properties.getOutbox().getBatchSize() > 10000) {
			throw new InvalidConfigurationPropertyValueException("syncro.outbox.batch-size", properties.getOutbox().getBatchSize(),
					"It must be from 1 to 10000.");
		}
		if (properties.getJdbc().getPollInterval().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("syncro.jdbc.poll-interval", properties.getJdbc().getPollInterval(),
					"It must not be negative.");
		}
	}

	private static void validateLimits(SyncroProperties properties) {
		long dataBytes = properties.getLimits().getMaxDataBytes().toBytes();
		if (dataBytes < 64 || dataBytes > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException("syncro.limits.max-data-bytes", properties.getLimits().getMaxDataBytes(),
					"It must be from 64B to 2GB.");
		}
		if (properties.getLimits().getMaxNestingDepth() < 1 || properties.getLimits().getMaxNestingDepth() > InputLimits.MAX_ALLOWED_NESTING_DEPTH) {
			throw new InvalidConfigurationPropertyValueException("syncro.limits.max-nesting-depth",
					properties.getLimits().getMaxNestingDepth(), "It must be from 1 to " + InputLimits.MAX_ALLOWED_NESTING_DEPTH + ".");
		}
		if (properties.getLimits().getMaxUidLength() < 1 || properties.getLimits().getMaxUidLength() > InputLimits.PROTOCOL_MAX_UID_LENGTH) {
			throw new InvalidConfigurationPropertyValueException("syncro.limits.max-uid-length", properties.getLimits().getMaxUidLength(),
					"It must be from 1 to " + InputLimits.PROTOCOL_MAX_UID_LENGTH + ".");
		}
		if (properties.getLimits().getMaxKlassLength() < 1 || properties.getLimits().getMaxKlassLength() > Scribe.MAX_KLASS_LENGTH) {
			throw new InvalidConfigurationPropertyValueException("syncro.limits.max-klass-length",
					properties.getLimits().getMaxKlassLength(), "It must be from 1 to " + Scribe.MAX_KLASS_LENGTH + ".");
		}
		if (properties.getLimits().getMaxMethodLength() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.limits.max-method-length",
					properties.getLimits().getMaxMethodLength(), "It must be positive.");
		}
		if (!(properties.getRateLimit().getRequestsPerSecond() > 0)) {
			throw new InvalidConfigurationPropertyValueException("syncro.rate-limit.requests-per-second",
					properties.getRateLimit().getRequestsPerSecond(), "It must be positive; set syncro.rate-limit.enabled=false for none.");
		}
		if (properties.getRateLimit().getBurst() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.rate-limit.burst", properties.getRateLimit().getBurst(),
					"It must be positive.");
		}
		if (properties.getRateLimit().getMaxRefused() < 0) {
			throw new InvalidConfigurationPropertyValueException("syncro.rate-limit.max-refused",
					properties.getRateLimit().getMaxRefused(), "It must not be negative.");
		}
		if (properties.getRateLimit().getRefusedWindow().isNegative() || properties.getRateLimit().getRefusedWindow().isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.rate-limit.refused-window",
					properties.getRateLimit().getRefusedWindow(), "It must be positive.");
		}
		if (properties.getConnections().getMaxTotal() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.connections.max-total",
					properties.getConnections().getMaxTotal(), "It must be positive.");
		}
		if (properties.getConnections().getMaxPerClient() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.connections.max-per-client",
					properties.getConnections().getMaxPerClient(), "It must be positive; 2 or more lets a client reconnect before its old connection is gone.");
		}
		if (properties.getConnections().getMaxPerUser() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.connections.max-per-user",
					properties.getConnections().getMaxPerUser(), "It must be positive.");
		}
		if (!isPositive(properties.getConnections().getHandshakeTimeout())) {
			throw new InvalidConfigurationPropertyValueException("syncro.connections.handshake-timeout",
					properties.getConnections().getHandshakeTimeout(), "It must be positive.");
		}
		if (!(properties.getRateLimit().getPerUser().getRequestsPerSecond() > 0)) {
			throw new InvalidConfigurationPropertyValueException("syncro.rate-limit.per-user.requests-per-second",
					properties.getRateLimit().getPerUser().getRequestsPerSecond(),
					"It must be positive; set syncro.rate-limit.enabled=false for no rate limit.");
		}
		if (properties.getRateLimit().getPerUser().getBurst() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.rate-limit.per-user.burst",
					properties.getRateLimit().getPerUser().getBurst(), "It must be positive.");
		}
		validateClients(properties);
	}

	private static void validateClients(SyncroProperties properties) {
		if (properties.getClients().getMaxPerUser() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.clients.max-per-user", properties.getClients().getMaxPerUser(),
					"It must be positive.");
		}
		if (properties.getClients().getMaxNewPerHour() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.clients.max-new-per-hour",
					properties.getClients().getMaxNewPerHour(), "It must be positive.");
		}
		if (!isPositive(properties.getClients().getCleanupInterval())) {
			throw new InvalidConfigurationPropertyValueException("syncro.clients.cleanup-interval",
					properties.getClients().getCleanupInterval(), "It must be positive.");
		}
		if (properties.getClients().getExpireAfter() == null || properties.getClients().getExpireAfter().compareTo(properties.getClients().getCleanupInterval()) <= 0) {
			throw new InvalidConfigurationPropertyValueException("syncro.clients.expire-after", properties.getClients().getExpireAfter(),
					"It must be longer than syncro.clients.cleanup-interval (" + properties.getClients().getCleanupInterval()
							+ "): the uids of open connections are marked as seen once per cleanup.");
		}
	}


	private static void validateCompaction(SyncroProperties.LogCompaction compaction) {
		if (compaction.getKeepRecent() < 1) {
			throw new InvalidConfigurationPropertyValueException("syncro.log.compaction.keep-recent", compaction.getKeepRecent(),
					"It must be at least 1.");
		}
		if (compaction.getTombstoneRetention().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("syncro.log.compaction.tombstone-retention",
					compaction.getTombstoneRetention(), "It must not be negative.");
		}
		if (compaction.getInterval().isNegative() || compaction.getInterval().isZero()) {
			throw new InvalidConfigurationPropertyValueException("syncro.log.compaction.interval", compaction.getInterval(),
					"It must be positive.");
		}
	}

	private static boolean isPositive(Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

}

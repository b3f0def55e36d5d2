package io.syncro.web;

import java.time.Clock;
import java.util.List;

import io.syncro.session.SyncroEngine;
import org.springframework.util.Assert;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Registers the Syncro WebSocket endpoint: the origin check against cross-site WebSocket
 * hijacking (only the listed origins, or the server's own origin when none is listed,
 * else HTTP 403; clients that send no {@code Origin} are not refused for it), the uid,
 * identity, connection-limit and uid-limit checks, and the handler, which binds a uid to
 * its user once its WebSocket is open.
 *
 * @since 0.1.0
 */
public final class SyncroWebSocketEndpoint implements WebSocketConfigurer {

	private final SyncroEngine engine;

	private final String path;

	private final List<String> allowedOrigins;

	private final SyncroIdentityResolver identityResolver;

	private final ConnectionCounter connections;

	private final ClientBindings bindings;

	/**
	 * Creates the endpoint with the default {@link ConnectionLimits}.
	 * @param engine the engine that runs the sessions
	 * @param path the endpoint's path
	 * @param allowedOrigins origins or origin patterns allowed; empty for same origin only
	 * @param identityResolver decides who a handshake is
	 */
	public SyncroWebSocketEndpoint(SyncroEngine engine, String path, List<String> allowedOrigins,
			SyncroIdentityResolver identityResolver) {
		this(engine, path, allowedOrigins, identityResolver, ConnectionLimits.defaults());
	}

	/**
	 * Creates the endpoint.
	 * @param engine the engine that runs the sessions
	 * @param path the endpoint's path
	 * @param allowedOrigins origins or origin patterns allowed; empty for same origin only
	 * @param identityResolver decides who a handshake is
	 * @param connectionLimits how many connections may be open at once
	 */
	public SyncroWebSocketEndpoint(SyncroEngine engine, String path, List<String> allowedOrigins,
			SyncroIdentityResolver identityResolver, ConnectionLimits connectionLimits) {
		this(engine, path, allowedOrigins, identityResolver, connectionLimits, ClientUidLimits.defaults());
	}

	/**
	 * Creates the endpoint.
	 * @param engine the engine that runs the sessions
	 * @param path the endpoint's path
	 * @param allowedOrigins origins or origin patterns allowed; empty for same origin only
	 * @param identityResolver decides who a handshake is
	 * @param connectionLimits how many connections may be open at once
	 * @param clientUidLimits how many client uids one user may have bound
	 */
	public SyncroWebSocketEndpoint(SyncroEngine engine, String path, List<String> allowedOrigins,
			SyncroIdentityResolver identityResolver, ConnectionLimits connectionLimits, ClientUidLimits clientUidLimits) {
		Assert.notNull(engine, "'engine' must not be null");
		Assert.hasText(path, "'path' must not be empty");
		Assert.notNull(allowedOrigins, "'allowedOrigins' must not be null");
		Assert.notNull(identityResolver, "'identityResolver' must not be null");
		Assert.notNull(connectionLimits, "'connectionLimits' must not be null");
		Assert.notNull(clientUidLimits, "'clientUidLimits' must not be null");
		this.engine = engine;
		this.path = path;
		this.allowedOrigins = List.copyOf(allowedOrigins);
		this.identityResolver = identityResolver;
		this.connections = new ConnectionCounter(connectionLimits);
		this.bindings = new ClientBindings(engine.clients(), clientUidLimits, Clock.systemUTC());
	}

	/**
	 * The number of connections open on this endpoint.
	 * @return the count
	 */
	public int openConnections() {
		return this.connections.total();
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		// the registration checks origins itself, before the interceptors: with no patterns
		// set it would allow the same origin only, whatever an interceptor of ours allowed
		registry.addHandler(new SyncroWebSocketHandler(this.engine, this.connections, this.bindings), this.path)
			.setAllowedOriginPatterns(this.allowedOrigins.toArray(String[]::new))
			.addInterceptors(
					new SyncroHandshakeInterceptor(this.engine, this.identityResolver, this.connections, this.bindings));
	}

}

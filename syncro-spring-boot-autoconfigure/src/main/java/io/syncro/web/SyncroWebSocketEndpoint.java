package io.syncro.web;

import java.util.List;

import io.syncro.session.SyncroEngine;
import org.springframework.util.Assert;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * Registers the Syncro WebSocket endpoint: the origin check (only the listed origins, or
 * the server's own origin when none is listed; clients that send no {@code Origin} are
 * not refused for it), the uid and identity checks, and the handler.
 *
 * @since 0.1.0
 */
public final class SyncroWebSocketEndpoint implements WebSocketConfigurer {

	private final SyncroEngine engine;

	private final String path;

	private final List<String> allowedOrigins;

	private final SyncroIdentityResolver identityResolver;

	/**
	 * Creates the endpoint.
	 * @param engine the engine that runs the sessions
	 * @param path the endpoint's path
	 * @param allowedOrigins origins or origin patterns allowed; empty for same origin only
	 * @param identityResolver decides who a handshake is
	 */
	public SyncroWebSocketEndpoint(SyncroEngine engine, String path, List<String> allowedOrigins,
			SyncroIdentityResolver identityResolver) {
		Assert.notNull(engine, "'engine' must not be null");
		Assert.hasText(path, "'path' must not be empty");
		Assert.notNull(allowedOrigins, "'allowedOrigins' must not be null");
		Assert.notNull(identityResolver, "'identityResolver' must not be null");
		this.engine = engine;
		this.path = path;
		this.allowedOrigins = List.copyOf(allowedOrigins);
		this.identityResolver = identityResolver;
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		OriginHandshakeInterceptor origins = new OriginHandshakeInterceptor();
		origins.setAllowedOriginPatterns(this.allowedOrigins);
		registry.addHandler(new SyncroWebSocketHandler(this.engine), this.path)
			.addInterceptors(origins, new SyncroHandshakeInterceptor(this.engine, this.identityResolver));
	}

}

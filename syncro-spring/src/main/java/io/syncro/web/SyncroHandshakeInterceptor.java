package io.syncro.web;

import java.util.Map;
import java.util.Set;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.SyncroException;
import io.syncro.session.SyncroEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.util.MultiValueMap;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Checks a handshake before the WebSocket opens (PROTOCOL.md section 5): the
 * {@code client} query parameter must be a valid uid other than the server's (400 / 403),
 * the {@code v} parameter, when present, a positive integer (400; the connection speaks
 * the lower of it and the newest protocol version this server knows),
 * no longer than the configured uid length (400), the identity resolver may refuse it
 * (401 / 403), a uid bound to another principal is refused (403), a handshake over the
 * {@link ConnectionLimits} is refused (429 for one uid or one user, 503 in total), and one
 * that would bind a new uid to a user over its {@link ClientUidLimits} is refused (429).
 * Origins are checked before, by Spring's origin interceptor (403).
 * <p>
 * It writes nothing: the uid is bound by the handler once the WebSocket is open, so that
 * a refused handshake, or a plain GET without {@code Upgrade} (which Spring answers 400
 * after this check), leaves nothing behind.
 *
 * @since 0.1.0
 */
final class SyncroHandshakeInterceptor implements HandshakeInterceptor {

	static final String CLIENT_ATTRIBUTE = SyncroHandshakeInterceptor.class.getName() + ".client";

	static final String VERSION_ATTRIBUTE = SyncroHandshakeInterceptor.class.getName() + ".version";

	static final String USER_ATTRIBUTE = SyncroHandshakeInterceptor.class.getName() + ".user";

	static final String AUTHORITIES_ATTRIBUTE = SyncroHandshakeInterceptor.class.getName() + ".authorities";

	private static final Logger logger = LoggerFactory.getLogger(SyncroHandshakeInterceptor.class);

	private final SyncroEngine engine;

	private final SyncroIdentityResolver identityResolver;

	private final ConnectionCounter connections;

	private final ClientBindings bindings;

	SyncroHandshakeInterceptor(SyncroEngine engine, SyncroIdentityResolver identityResolver,
			ConnectionCounter connections, ClientBindings bindings) {
		this.engine = engine;
		this.identityResolver = identityResolver;
		this.connections = connections;
		this.bindings = bindings;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Map<String, Object> attributes) {
		try {
			MultiValueMap<String, String> parameters = UriComponentsBuilder.fromUri(request.getURI())
				.build()
				.getQueryParams();
			String client = parameters.getFirst("client");
			this.engine.checkPeer(client);
			int version = ProtocolVersion.negotiate(parameters.getFirst("v"));
			int maxUidLength = this.engine.settings().inputLimits().maxUidLength();
			if (client.length() > maxUidLength) {
				throw SyncroException.badRequest("The client uid must have at most " + maxUidLength + " characters.");
			}
			String principal = this.identityResolver.resolve(request, client);
			this.connections.check(client, principal);
			this.bindings.check(client, principal);
			attributes.put(CLIENT_ATTRIBUTE, client);
			attributes.put(VERSION_ATTRIBUTE, version);
			if (principal != null) {
				attributes.put(USER_ATTRIBUTE, principal);
				attributes.put(AUTHORITIES_ATTRIBUTE, Set.copyOf(this.identityResolver.authorities(request, principal)));
			}
			return true;
		}
		catch (SyncroException ex) {
			refuse(response, ex);
			return false;
		}
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			@Nullable Exception exception) {
	}

	private static void refuse(ServerHttpResponse response, SyncroException ex) {
		HttpStatus status = HttpStatus.resolve(ex.getCode());
		response.setStatusCode((status != null) ? status : HttpStatus.valueOf(ErrorCodes.BAD_REQUEST));
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		try {
			String body = "{\"code\":" + ex.getCode() + ",\"message\":\"" + ex.getMessage().replace("\"", "'") + "\"}";
			response.getBody().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		}
		catch (java.io.IOException writeFailure) {
			logger.debug("Could not write the refusal of a handshake", writeFailure);
		}
	}

}

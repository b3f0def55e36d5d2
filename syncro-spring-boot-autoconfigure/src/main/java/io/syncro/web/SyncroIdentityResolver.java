package io.syncro.web;

import io.syncro.protocol.SyncroException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.ServerHttpRequest;

/**
 * Decides who a WebSocket handshake is: it may refuse it, or bind the client uid to an
 * authenticated principal, after which no other principal may connect with that uid.
 * Declare a bean of this type to replace the default, which takes the request's
 * principal when there is one.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface SyncroIdentityResolver {

	/**
	 * Resolves the principal of a handshake.
	 * @param request the handshake request
	 * @param client the client uid it claims
	 * @return the principal's name to bind the uid to, or {@code null} for an anonymous
	 * client
	 * @throws SyncroException with code 401 or 403 to refuse the handshake
	 */
	@Nullable String resolve(ServerHttpRequest request, String client);

}

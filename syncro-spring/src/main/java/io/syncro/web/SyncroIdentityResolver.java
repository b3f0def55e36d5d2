package io.syncro.web;

import java.util.Collection;
import java.util.Set;

import io.syncro.protocol.SyncroException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.ServerHttpRequest;

/**
 * Decides who a WebSocket handshake is: it may refuse it, or bind the client uid to an
 * authenticated principal, after which no other principal may connect with that uid.
 * Declare a bean of this type to replace the default, which takes the request's
 * principal when there is one, and with Spring Security its granted authorities.
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

	/**
	 * The authorities (roles, groups) of the user a handshake resolved to, which
	 * {@link io.syncro.scribe.Recipients#authorities recipients} and policies see.
	 * @param request the handshake request
	 * @param user the user {@link #resolve} gave
	 * @return the authorities; none by default
	 * @since 0.2.0
	 */
	default Collection<String> authorities(ServerHttpRequest request, String user) {
		return Set.of();
	}

}

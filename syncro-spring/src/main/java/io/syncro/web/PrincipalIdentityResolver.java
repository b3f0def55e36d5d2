package io.syncro.web;

import java.security.Principal;
import java.util.Collection;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.util.ClassUtils;

/**
 * The default {@link SyncroIdentityResolver}: the handshake request's principal, if
 * any, and, when it is a Spring Security {@code Authentication}, its granted
 * authorities.
 *
 * @since 0.2.0
 */
public final class PrincipalIdentityResolver implements SyncroIdentityResolver {

	private static final boolean SECURITY_PRESENT = ClassUtils.isPresent(
			"org.springframework.security.core.Authentication", PrincipalIdentityResolver.class.getClassLoader());

	@Override
	public @Nullable String resolve(ServerHttpRequest request, String client) {
		Principal principal = request.getPrincipal();
		return (principal != null) ? principal.getName() : null;
	}

	@Override
	public Collection<String> authorities(ServerHttpRequest request, String user) {
		Principal principal = request.getPrincipal();
		return (SECURITY_PRESENT && principal != null) ? SpringSecurity.authorities(principal) : Set.of();
	}

	/** Loaded only when Spring Security is on the class path. */
	private static final class SpringSecurity {

		static Collection<String> authorities(Principal principal) {
			if (!(principal instanceof Authentication authentication)) {
				return Set.of();
			}
			return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
		}

	}

}

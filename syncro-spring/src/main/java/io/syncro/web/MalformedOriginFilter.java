package io.syncro.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Refuses a handshake whose {@code Origin} header is not an origin at all with 403,
 * before Spring's origin check, which fails such a header with an exception (a 500 and a
 * stack trace in the log). {@code null}, the origin of sandboxed pages, is left to that
 * check, which refuses it unless it is allowed.
 *
 * @since 0.1.0
 */
public final class MalformedOriginFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String origin = request.getHeader(HttpHeaders.ORIGIN);
		if (origin != null && !"null".equals(origin) && !isOrigin(origin)) {
			response.setStatus(HttpStatus.FORBIDDEN.value());
			response.setContentType(MediaType.APPLICATION_JSON_VALUE);
			response.getWriter().write("{\"code\":403,\"message\":\"The Origin header is not an origin.\"}");
			return;
		}
		chain.doFilter(request, response);
	}

	/**
	 * Whether a header value is an origin: a scheme, a host, an optional port, nothing else
	 * (RFC 6454), read as Spring reads it.
	 */
	static boolean isOrigin(String value) {
		try {
			UriComponents origin = UriComponentsBuilder.fromUriString(value).build();
			int port = origin.getPort();
			return origin.getScheme() != null && origin.getHost() != null && !origin.getHost().isEmpty()
					&& origin.getUserInfo() == null && (origin.getPath() == null || origin.getPath().isEmpty())
					&& origin.getQuery() == null && origin.getFragment() == null && (port == -1 || (port > 0 && port < 65536));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}

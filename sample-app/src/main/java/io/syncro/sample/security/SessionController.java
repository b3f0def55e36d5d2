package io.syncro.sample.security;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tells the page who is signed in (or {@code null}) and hands it the CSRF token its login
 * and logout need.
 *
 * @since 0.1.0
 */
@RestController
class SessionController {

	@GetMapping("/session")
	Map<String, Object> session(@Nullable Principal principal, CsrfToken csrf) {
		Map<String, Object> session = new LinkedHashMap<>();
		session.put("user", (principal != null) ? principal.getName() : null);
		session.put("csrf", Map.of("header", csrf.getHeaderName(), "token", csrf.getToken()));
		return session;
	}

}

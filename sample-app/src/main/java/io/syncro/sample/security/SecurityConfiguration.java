package io.syncro.sample.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.security.web.savedrequest.NullRequestCache;

/**
 * Who may open the sync endpoint: only an authenticated user of {@code sample.users}, by
 * HTTP Basic on the handshake (apps, tests) or by the session the page gets from its
 * login form (browsers send its cookie on the handshake). An unauthenticated handshake is
 * answered 401 with no challenge, so no browser pops up a password dialog. Syncro's
 * default identity resolver binds each client uid to the user who first connects with it;
 * another user claiming that uid is refused 403.
 * <p>
 * The REST API {@code /api/**} is authenticated the same ways, without CSRF checks (for
 * apps and tests that send HTTP Basic or keep the session cookie); without credentials it
 * answers 401. The session cookie is {@code SameSite=Lax} ({@code application.yml}), so
 * no other site can make a signed-in browser write through it. Actuator's
 * health is open, its other endpoints (metrics, Syncro's) need the {@code ADMIN} role,
 * which the users of {@code sample.admins} have. Everything else stays open: the page
 * and its files, so the page can start offline. The login ({@code POST /login}, form fields
 * {@code username} and {@code password}) and logout ({@code POST /logout}) are answered
 * with a status and no redirect, for the page's scripts; both need the CSRF token that
 * {@code GET /session} hands out.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SampleUsers.class)
public class SecurityConfiguration {

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, @Value("${syncro.path:/syncro}") String path)
			throws Exception {
		// the API's problem JSON, without WWW-Authenticate so that a browser asks nothing
		AuthenticationEntryPoint unauthorized = (request, response, exception) -> json(response,
				HttpServletResponse.SC_UNAUTHORIZED, MediaType.APPLICATION_PROBLEM_JSON_VALUE,
				JsonNodeFactory.instance.objectNode()
					.put("type", "about:blank")
					.put("title", HttpStatus.UNAUTHORIZED.getReasonPhrase())
					.put("status", HttpServletResponse.SC_UNAUTHORIZED)
					.put("detail", "Sign in first: HTTP Basic credentials or the session cookie of /login.")
					.put("instance", request.getRequestURI())
					.toString());
		http.authorizeHttpRequests((requests) -> requests.requestMatchers(path, path + "/**", "/api/**")
			.authenticated()
			.requestMatchers("/actuator/health", "/actuator/health/**")
			.permitAll()
			.requestMatchers("/actuator/**")
			.hasRole("ADMIN")
			.anyRequest()
			.permitAll())
			.httpBasic((basic) -> basic.authenticationEntryPoint(unauthorized))
			.formLogin((form) -> form.loginProcessingUrl("/login")
				.successHandler((request, response, authentication) -> json(response, HttpServletResponse.SC_OK,
						MediaType.APPLICATION_JSON_VALUE,
						JsonNodeFactory.instance.objectNode().put("user", authentication.getName()).toString()))
				.failureHandler((request, response, exception) -> json(response, HttpServletResponse.SC_UNAUTHORIZED,
						MediaType.APPLICATION_JSON_VALUE, "{\"message\":\"Wrong user name or password.\"}")))
			.logout((logout) -> logout.logoutUrl("/logout")
				.logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler(HttpStatus.NO_CONTENT)))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(unauthorized))
			// an unauthenticated handshake must not leave a session behind to return to
			.requestCache((cache) -> cache.requestCache(new NullRequestCache()))
			.csrf((csrf) -> csrf.ignoringRequestMatchers("/api/**"));
		return http.build();
	}

	@Bean
	UserDetailsService sampleUserDetailsService(SampleUsers users) {
		List<UserDetails> details = new ArrayList<>();
		for (Map.Entry<String, String> user : users.getUsers().entrySet()) {
			String[] roles = users.getAdmins().contains(user.getKey()) ? new String[] { "USER", "ADMIN" }
					: new String[] { "USER" };
			details.add(User.withUsername(user.getKey()).password(user.getValue()).roles(roles).build());
		}
		return new InMemoryUserDetailsManager(details);
	}

	@Bean
	PasswordEncoder samplePasswordEncoder() {
		return new PlainPasswords();
	}

	private static void json(HttpServletResponse response, int status, String contentType, String body)
			throws java.io.IOException {
		response.setStatus(status);
		response.setContentType(contentType);
		response.getWriter().write(body);
	}

}

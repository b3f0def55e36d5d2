package io.syncro.sample;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.WireClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.sample.SampleUsers.signedIn;
import static io.syncro.testing.Scribes.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who may connect to the sample app (issue 7): only its users, by HTTP Basic or by the
 * session the page's login gives; each client uid belongs to the user who first used it;
 * one user's Pages reach every client of hers and never another user's clients; browsers
 * of other origins are refused even with a valid session; the REST API needs credentials
 * but no CSRF token, and health stays open.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:sample-security;DB_CLOSE_DELAY=-1",
				"syncro.allowed-origins=https://app.example.com" })
class SampleAppSecurityTests {

	private static final AtomicInteger uids = new AtomicInteger();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	@Test
	void handshakesWithoutValidCredentialsAreRefused401() {
		assertThat(anonymous().handshakeStatus(uid("anonymous"))).isEqualTo(401);
		assertThat(anonymous().basicAuth("alice", "wrong").handshakeStatus(uid("guessing"))).isEqualTo(401);
		assertThat(anonymous().basicAuth("mallory", "mallory-secret").handshakeStatus(uid("stranger"))).isEqualTo(401);
		assertThat(withSession("JSESSIONID=0123456789ABCDEF").handshakeStatus(uid("forged"))).isEqualTo(401);
	}

	@Test
	void aClientUidBelongsToTheFirstUserWhoConnectsWithItAndAnotherIsRefused403() {
		String aliceUid = uid("alice-laptop");
		try (WireClient alice = signedIn("alice", this.port).connect(aliceUid)) {
			assertThat(alice.sync(null).path("type").asString()).isEqualTo("response");
			assertThat(signedIn("bob", this.port).handshakeStatus(aliceUid)).isEqualTo(403);
		}
		assertThat(signedIn("bob", this.port).handshakeStatus(aliceUid)).isEqualTo(403);
		assertThat(signedIn("carol", this.port).handshakeStatus(aliceUid)).isEqualTo(403);
		try (WireClient again = signedIn("alice", this.port).connect(aliceUid)) {
			assertThat(again.sync(null).path("type").asString()).isEqualTo("response");
		}
	}

	@Test
	void oneUsersPagesNeverReachAnotherUsersClientsByPushBySyncOrByRpc() throws Exception {
		String aliceUid = uid("alice-phone");
		String bobUid = uid("bob-phone");
		try (WireClient alice = signedIn("alice", this.port).live(aliceUid);
				WireClient alicesLaptop = signedIn("alice", this.port).live(uid("alice-laptop"));
				WireClient bob = signedIn("bob", this.port).live(bobUid)) {
			String secret = "secret-" + uids.incrementAndGet();
			String pageId = "page-" + secret;
			assertThat(alice.addScribe(create(1, "Page", page(pageId, "alice", secret))).path("result").asBoolean())
				.isTrue();
			JsonNode serverMade = post("alice", "/api/pages",
					"{\"owner\":\"alice\",\"title\":\"" + secret + " by the server\",\"body\":\"b\"}");
			JsonNode pushedToAlice = await().until(() -> alice.pushed()
				.stream()
				.filter((scribe) -> scribe.toString().contains(serverMade.path("id").asString()))
				.findFirst()
				.orElse(null), (found) -> found != null);
			long pageScribeId = pushedToAlice.path("id").asLong();
			// a todo after the pages: once bob has it, he has had every push before it
			String marker = "marker-" + uids.incrementAndGet() + "-" + uids.incrementAndGet();
			post("bob", "/api/todos", "{\"title\":\"" + marker + "\"}");
			await().until(() -> bob.pushed().stream().anyMatch((scribe) -> scribe.toString().contains(marker)));

			long markerId = bob.pushed()
				.stream()
				.filter((scribe) -> scribe.toString().contains(marker))
				.findFirst()
				.orElseThrow()
				.path("id")
				.asLong();
			// and one more page of alice's, now the latest scribe of all
			JsonNode latest = post("alice", "/api/pages", "{\"title\":\"" + secret + " latest\",\"body\":\"b\"}");
			long latestId = await().until(() -> alice.pushed()
				.stream()
				.filter((scribe) -> scribe.toString().contains(latest.path("id").asString()))
				.findFirst()
				.orElse(null), (found) -> found != null).path("id").asLong();
			assertThat(latestId).isGreaterThan(markerId).isGreaterThan(pageScribeId);

			// by push
			assertThat(bob.received()).noneMatch((message) -> message.toString().contains(secret));
			// by sync, from the start and from just before alice's page
			assertThat(bob.syncToEnd(null)).isNotEmpty().noneMatch((scribe) -> scribe.toString().contains(secret));
			assertThat(bob.syncToEnd(pageScribeId - 1)).noneMatch((scribe) -> scribe.path("id").asLong() == pageScribeId);
			// by rpc: his position counts none of her scribes, not even the latest
			assertThat(bob.lastScribeId()).isEqualTo(markerId);
			assertThat(alice.lastScribeId()).isEqualTo(latestId);
			// while her other client has them all, by push and by sync
			alicesLaptop.awaitPushed((scribe) -> scribe.toString().contains(secret), 3);
			assertThat(alicesLaptop.lastScribeId()).isEqualTo(latestId);
			assertThat(alicesLaptop.syncToEnd(pageScribeId - 1))
				.anyMatch((scribe) -> scribe.path("id").asLong() == pageScribeId);
			assertThat(alice.syncToEnd(null)).anyMatch((scribe) -> scribe.toString().contains(secret + " by the server"));

			// nor can bob take alice's uid to read them, write a Page for her, or read hers over REST
			assertThat(signedIn("bob", this.port).handshakeStatus(aliceUid)).isEqualTo(403);
			JsonNode refused = bob.addScribe(create(1, "Page", page("p-" + secret, "alice", "planted")));
			assertThat(refused.path("code").asInt()).isEqualTo(403);
			assertThat(send(get("/api/pages/" + pageId).header("Authorization", SampleUsers.basic("bob"))).statusCode())
				.isEqualTo(404);
			assertThat(send(get("/api/pages").header("Authorization", SampleUsers.basic("bob"))).body())
				.doesNotContain(secret);
		}
	}

	@Test
	void thePagesLoginGivesASessionWhoseCookieAuthenticatesTheHandshakeUntilLogout() throws Exception {
		HttpResponse<String> first = send(get("/session"));
		JsonNode anonymous = MessageCodec.readTree(first.body());
		assertThat(anonymous.path("user").isNull()).isTrue();
		String cookie = sessionCookie(first);
		String csrfHeader = anonymous.path("csrf").path("header").asString();
		String csrfToken = anonymous.path("csrf").path("token").asString();

		assertThat(send(login(cookie, csrfHeader, csrfToken, "alice", "wrong")).statusCode()).isEqualTo(401);
		assertThat(send(login(cookie, null, null, "alice", "alice-secret")).statusCode()).isEqualTo(403);
		HttpResponse<String> loggedIn = send(login(cookie, csrfHeader, csrfToken, "alice", "alice-secret"));
		assertThat(loggedIn.statusCode()).isEqualTo(200);
		// the session id changes at login
		String session = sessionCookie(loggedIn);
		assertThat(session).isNotEqualTo(cookie);

		HttpResponse<String> who = send(get("/session").header("Cookie", session));
		JsonNode signedIn = MessageCodec.readTree(who.body());
		assertThat(signedIn.path("user").asString()).isEqualTo("alice");

		String uid = uid("alice-browser");
		try (WireClient browser = withSession(session).connect(uid)) {
			assertThat(browser.sync(null).path("type").asString()).isEqualTo("response");
		}
		// bound to alice: bob's Basic credentials cannot take it over
		assertThat(signedIn("bob", this.port).handshakeStatus(uid)).isEqualTo(403);

		HttpResponse<String> logout = send(HttpRequest.newBuilder(url("/logout"))
			.header("Cookie", session)
			.header(signedIn.path("csrf").path("header").asString(), signedIn.path("csrf").path("token").asString())
			.POST(HttpRequest.BodyPublishers.noBody()));
		assertThat(logout.statusCode()).isEqualTo(204);
		assertThat(withSession(session).handshakeStatus(uid)).isEqualTo(401);
	}

	@Test
	void handshakesFromOriginsNotAllowedAreRefused403EvenWithValidCredentials() throws Exception {
		assertThat(signedIn("alice", this.port).origin("https://evil.example").handshakeStatus(uid("hijacked")))
			.isEqualTo(403);
		assertThat(signedIn("alice", this.port).origin("http://app.example.com").handshakeStatus(uid("hijacked")))
			.isEqualTo(403);
		// a page on another site riding on a signed-in user's session cookie
		String session = loginAs("bob");
		assertThat(withSession(session).origin("https://evil.example").handshakeStatus(uid("hijacked"))).isEqualTo(403);
		try (WireClient allowed = withSession(session).origin("https://app.example.com").connect(uid("allowed"))) {
			assertThat(allowed.sync(null).path("type").asString()).isEqualTo("response");
		}
		try (WireClient noOrigin = signedIn("bob", this.port).connect(uid("app"))) {
			assertThat(noOrigin.sync(null).path("type").asString()).isEqualTo("response");
		}
	}

	@Test
	void handshakesWithAMalformedOriginAreRefused403NotFailedWith500() throws Exception {
		String session = loginAs("alice");
		for (String malformed : new String[] { "http://127.0.0.1:" + this.port + ".evil.example", "http://[::1",
				"not an origin", "http://app.example.com:99999", "://", "http://app.example.com:-1" }) {
			assertThat(withSession(session).origin(malformed).handshakeStatus(uid("malformed"))).as(malformed)
				.isEqualTo(403);
			assertThat(signedIn("alice", this.port).origin(malformed).handshakeStatus(uid("malformed"))).as(malformed)
				.isEqualTo(403);
		}
	}

	@Test
	void theRestApiNeedsCredentialsButNoCsrfTokenAndHealthStaysOpen() throws Exception {
		HttpResponse<String> anonymous = send(HttpRequest.newBuilder(url("/api/todos"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"No login\"}")));
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as("no browser dialog").isEmpty();
		assertThat(send(HttpRequest.newBuilder(url("/api/todos"))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8)))
			.GET()).statusCode()).isEqualTo(401);
		HttpResponse<String> created = send(HttpRequest.newBuilder(url("/api/todos"))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic("alice"))
			.POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"No CSRF token needed\"}")));
		assertThat(created.statusCode()).isEqualTo(201);
		String id = MessageCodec.readTree(created.body()).path("id").asString();
		assertThat(send(HttpRequest.newBuilder(url("/api/todos/" + id)).DELETE()).statusCode()).isEqualTo(401);
		assertThat(send(HttpRequest.newBuilder(url("/api/todos/" + id))
			.header("Authorization", SampleUsers.basic("alice"))
			.DELETE()).statusCode()).isEqualTo(204);
		assertThat(send(get("/actuator/health")).statusCode()).isEqualTo(200);
	}

	@Test
	void theSessionCookieGoesWithNoOtherSitesWrites() throws Exception {
		HttpResponse<String> first = send(get("/session"));
		JsonNode csrf = MessageCodec.readTree(first.body()).path("csrf");
		HttpResponse<String> loggedIn = send(login(sessionCookie(first), csrf.path("header").asString(),
				csrf.path("token").asString(), "alice", "alice-secret"));
		assertThat(loggedIn.headers().allValues("Set-Cookie")).isNotEmpty()
			.allSatisfy((cookie) -> assertThat(cookie).containsIgnoringCase("SameSite=Lax"));
		// the cookie authenticates the REST API, as HTTP Basic does
		HttpResponse<String> own = send(HttpRequest.newBuilder(url("/api/pages"))
			.header("Cookie", sessionCookie(loggedIn))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"From the page\"}")));
		assertThat(own.statusCode()).isEqualTo(201);
	}

	private String loginAs(String user) throws Exception {
		HttpResponse<String> first = send(get("/session"));
		JsonNode csrf = MessageCodec.readTree(first.body()).path("csrf");
		HttpResponse<String> loggedIn = send(login(sessionCookie(first), csrf.path("header").asString(),
				csrf.path("token").asString(), user, user + "-secret"));
		assertThat(loggedIn.statusCode()).isEqualTo(200);
		return sessionCookie(loggedIn);
	}

	private HttpRequest.Builder login(String cookie, String csrfHeader, String csrfToken, String user, String password) {
		String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
				+ URLEncoder.encode(password, StandardCharsets.UTF_8);
		HttpRequest.Builder request = HttpRequest.newBuilder(url("/login"))
			.header("Cookie", cookie)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form));
		if (csrfHeader != null) {
			request.header(csrfHeader, csrfToken);
		}
		return request;
	}

	private static String sessionCookie(HttpResponse<?> response) {
		return response.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter((cookie) -> cookie.startsWith("JSESSIONID="))
			.map((cookie) -> cookie.split(";", 2)[0])
			.findFirst()
			.orElseThrow(() -> new AssertionError("No session cookie in " + response.headers().map()));
	}

	private static ObjectNode page(String id, String owner, String title) {
		return SampleRecords.page(id, owner, title, "private");
	}

	/** Clients that sign in with nothing. */
	private WireClient.Builder anonymous() {
		return WireClient.to(this.port);
	}

	/** Clients that sign in with a session cookie, as a browser does. */
	private WireClient.Builder withSession(String cookie) {
		return anonymous().header("Cookie", cookie);
	}

	private JsonNode post(String user, String path, String body) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(url(path))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic(user))
			.POST(HttpRequest.BodyPublishers.ofString(body)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return MessageCodec.readTree(response.body());
	}

	private HttpRequest.Builder get(String path) {
		return HttpRequest.newBuilder(url(path)).GET();
	}

	private URI url(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}

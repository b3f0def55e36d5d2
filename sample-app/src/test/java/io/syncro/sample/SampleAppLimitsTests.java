package io.syncro.sample;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.store.ClientExpiry;
import io.syncro.testing.WireClient;
import io.syncro.web.SyncroWebSocketEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The limits of issue 7 against the sample app, each set low by its property: the
 * per-connection rate limit (429, then the connection closed), connections per uid, per
 * user and in total (handshakes refused 429 and 503), the size and nesting of scribe data
 * and rpc arguments, and the lengths of uids, klasses and methods (400). And those of the
 * attack on the embedded default: scribes of an answer to the server's pull and replies to
 * nothing take from the rate limit, replies larger than anything asked are dropped unread,
 * new client uids per user per hour and in all are capped (429), a uid is bound only by a
 * WebSocket that opens, unused uids expire with their refusals, and Tomcat drops clients
 * that send their headers slowly after {@code syncro.connections.handshake-timeout}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:sample-limits;DB_CLOSE_DELAY=-1",
				// five requests at once, then practically none: no refill during a test
				"syncro.rate-limit.requests-per-second=0.001", "syncro.rate-limit.burst=5",
				"syncro.rate-limit.max-refused=3", "syncro.rate-limit.refused-window=1h",
				"syncro.connections.max-total=4", "syncro.connections.max-per-client=2",
				"syncro.connections.max-per-user=3",
				"syncro.clients.max-new-per-hour=" + SampleAppLimitsTests.NEW_UIDS_PER_HOUR,
				"syncro.clients.max-per-user=" + SampleAppLimitsTests.UIDS_PER_USER,
				"syncro.connections.handshake-timeout=2s",
				// Tomcat's own cap, small enough for a test to fill it with slow clients
				"server.tomcat.max-connections=" + SampleAppLimitsTests.TOMCAT_MAX_CONNECTIONS,
				"syncro.limits.max-data-bytes=1KB", "syncro.limits.max-nesting-depth=4",
				"syncro.limits.max-uid-length=20", "syncro.limits.max-klass-length=16",
				"syncro.limits.max-method-length=16" })
class SampleAppLimitsTests {

	static final int NEW_UIDS_PER_HOUR = 30;

	static final int UIDS_PER_USER = 35;

	static final int TOMCAT_MAX_CONNECTIONS = 40;

	private final HttpClient http = HttpClient.newHttpClient();

	private static final AtomicInteger uids = new AtomicInteger();

	@LocalServerPort
	private int port;

	@Autowired
	private SyncroWebSocketEndpoint endpoint;

	@Autowired
	private io.syncro.sample.todo.TodoRepository todos;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private ClientExpiry expiry;

	private static String uid(String name) {
		return name + "-" + uids.incrementAndGet();
	}

	@BeforeEach
	void noConnectionsLeftOpen() {
		awaitCounted(0);
	}

	@Test
	void requestsOverTheRateAreAnswered429SettleNothingAndAConnectionThatGoesOnIsClosed1008() throws Exception {
		String uid = uid("eager");
		String id = "rated-" + uid;
		try (WireClient eager = alice().connect(uid)) {
			for (int i = 0; i < 5; i++) {
				assertThat(eager.noop().path("result").asBoolean()).isTrue();
			}
			JsonNode refusedPing = eager.noop();
			assertThat(refusedPing.path("type").asString()).isEqualTo("error");
			assertThat(refusedPing.path("code").asInt()).isEqualTo(429);
			JsonNode refusedScribe = eager.addScribe(create(1, "Todo", todo(id)));
			assertThat(refusedScribe.path("code").asInt()).isEqualTo(429);
			assertThat(refusedScribe.path("scribe").asLong()).isEqualTo(1);
			assertThat(this.todos.findById(id)).isEmpty();

			// the limit is per connection, and the refused scribe settled nothing: the
			// server pulls from no mark and takes scribe 1 on a second connection
			try (WireClient second = alice().connect(uid)) {
				JsonNode pull = second.awaitPull();
				assertThat(pull.path("from").isNull()).isTrue();
				assertThat(second.addScribe(create(1, "Todo", todo(id))).path("result").asBoolean()).isTrue();
				assertThat(this.todos.findById(id)).isPresent();
			}

			// two refusals so far; the fourth is one more than syncro.rate-limit.max-refused
			assertThat(eager.noop().path("code").asInt()).isEqualTo(429);
			eager.sendText("{\"type\":\"noop\",\"id\":100}");
			assertThat(eager.awaitClose()).isEqualTo(1008);
			assertThat(eager.received()).filteredOn((message) -> message.path("code").asInt() == 429).hasSize(4);
		}
	}

	@Test
	void handshakesOverTheConnectionsPerUidAreRefused429() throws Exception {
		String uid = uid("tabs");
		try (WireClient first = alice().connect(uid); WireClient second = alice().connect(uid)) {
			awaitCounted(2);
			assertThat(alice().handshakeStatus(uid)).isEqualTo(429);
			try (WireClient other = alice().connect(uid("other"))) {
				assertThat(other.sync(null).path("type").asString()).isEqualTo("response");
			}
			second.close();
			awaitCounted(1);
			try (WireClient third = alice().connect(uid)) {
				assertThat(third.sync(null).path("type").asString()).isEqualTo("response");
			}
		}
	}

	@Test
	void handshakesOverTheTotalConnectionsAreRefused503() throws Exception {
		List<WireClient> open = new ArrayList<>();
		try {
			// two users, as one may hold only syncro.connections.max-per-user (3) of the 4
			for (int i = 0; i < 4; i++) {
				open.add(((i % 2 == 0) ? alice() : bob()).connect(uid("crowd")));
			}
			awaitCounted(4);
			String late = uid("late");
			assertThat(alice().handshakeStatus(late)).isEqualTo(503);
			assertThat(bindings(late)).isZero();
			open.remove(0).close();
			awaitCounted(3);
			open.add(alice().connect(uid("later")));
			assertThat(open.get(3).sync(null).path("type").asString()).isEqualTo("response");
		}
		finally {
			open.forEach(WireClient::close);
		}
	}

	@Test
	void aUserAtItsConnectionLimitIsRefused429WhileOtherUsersStillConnectAndGet() throws Exception {
		long before = System.nanoTime();
		assertThat(get("/api/todos").statusCode()).isEqualTo(200);
		long beforeMillis = millisSince(before);
		String tabs = uid("tabs");
		try (WireClient first = alice().connect(tabs); WireClient second = alice().connect(tabs);
				WireClient phone = alice().connect(uid("phone"))) {
			awaitCounted(3);
			String more = uid("more");
			long refusing = System.nanoTime();
			assertThat(alice().handshakeStatus(more)).isEqualTo(429);
			long refusedMillis = millisSince(refusing);
			assertThat(bindings(more)).as("a refused handshake binds nothing").isZero();
			long connecting = System.nanoTime();
			try (WireClient bobs = bob().connect(uid("bob"))) {
				assertThat(bobs.sync(null).path("type").asString()).isEqualTo("response");
				long bobMillis = millisSince(connecting);
				long getting = System.nanoTime();
				assertThat(get("/api/todos").statusCode()).isEqualTo(200);
				System.out.printf("connections per user: alice's 4th connection refused 429 in %d ms; bob connected"
						+ " and synced in %d ms, a GET answered in %d ms meanwhile (%d ms before alice connected, the"
						+ " HTTP client's first)%n", refusedMillis, bobMillis, millisSince(getting), beforeMillis);
			}
		}
	}

	@Test
	void newUidsOverTheUsersHourlyLimitOrOverItsTotalAreRefused429AndLeaveNoBinding() throws Exception {
		long started = System.nanoTime();
		List<String> carols = new ArrayList<>();
		for (int i = 0; i < NEW_UIDS_PER_HOUR; i++) {
			carols.add(connectAndLeave(carol(), uid("carol")));
		}
		String overHour = uid("carol");
		assertThat(carol().handshakeStatus(overHour)).isEqualTo(429);
		assertThat(bindings(overHour)).isZero();
		assertThat(bindingsOf("carol")).isEqualTo(NEW_UIDS_PER_HOUR);
		// a uid of hers already bound is no new uid: it connects as before
		connectAndLeave(carol(), carols.get(0));
		// and other users are not held up by her limit
		connectAndLeave(alice(), uid("alice-new"));

		// an hour later, only the total of syncro.clients.max-per-user holds her back
		this.jdbc.update("UPDATE syncro_client SET bound_at = bound_at - 7200000 WHERE principal = 'carol'");
		for (int i = NEW_UIDS_PER_HOUR; i < UIDS_PER_USER; i++) {
			connectAndLeave(carol(), uid("carol"));
		}
		String overTotal = uid("carol");
		assertThat(carol().handshakeStatus(overTotal)).isEqualTo(429);
		assertThat(bindings(overTotal)).isZero();
		assertThat(bindingsOf("carol")).isEqualTo(UIDS_PER_USER);
		System.out.printf("client uids per user: carol bound %d new uids, the next refused 429; %d in all an hour"
				+ " later, the next refused 429; no row for a refused uid (%d ms)%n", NEW_UIDS_PER_HOUR, UIDS_PER_USER,
				millisSince(started));
	}

	@Test
	void aRefusedHandshakeOrAPlainGetWithoutUpgradeBindsNothing() throws Exception {
		String anonymous = uid("anon");
		assertThat(WireClient.to(this.port).handshakeStatus(anonymous)).isEqualTo(401);
		String foreign = uid("foreign");
		assertThat(alice().origin("https://evil.example").handshakeStatus(foreign)).isEqualTo(403);
		String plain = uid("plain");
		HttpResponse<String> get = this.http.send(HttpRequest.newBuilder(url("/syncro?client=" + plain))
			.header("Authorization", SampleUsers.basic("alice"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(get.statusCode()).isEqualTo(400);
		assertThat(bindings(anonymous) + bindings(foreign) + bindings(plain)).isZero();
		// while the one that opens binds its uid
		String opened = uid("opened");
		connectAndLeave(alice(), opened);
		assertThat(bindings(opened)).isEqualTo(1);
	}

	@Test
	void scribesOfAnAnswerToThePullTakeFromTheRateLimit429OnTheFirstOverItAndNothingBeyondIsPlayed() {
		String uid = uid("offline");
		List<ObjectNode> offline = new ArrayList<>();
		for (int id = 1; id <= 8; id++) {
			offline.add(create(id, "Todo", todo("pulled-" + uid + "-" + id)));
		}
		long started = System.nanoTime();
		try (WireClient client = alice().answerPullWith(offline).connect(uid)) {
			JsonNode refused = client.awaitMessage((message) -> message.path("code").asInt() == 429);
			long refusedMillis = millisSince(started);
			assertThat(refused.path("type").asString()).isEqualTo("error");
			assertThat(refused.path("scribe").asLong()).isEqualTo(6);
			assertThat(refused.has("id")).isFalse();
			for (int id = 1; id <= 8; id++) {
				assertThat(this.todos.findById("pulled-" + uid + "-" + id).isPresent()).as("scribe %d", id)
					.isEqualTo(id <= 5);
			}
			assertThat(client.received()).filteredOn((message) -> message.path("type").asString().equals("sync"))
				.hasSize(1);
			System.out.printf("pulled scribes: 8 in the answer to the pull, burst 5: 5 played, 429 on scribe 6 after"
					+ " %d ms, nothing beyond played%n", refusedMillis);
		}
		// the next connection's pull starts from the mark, and the client sends the rest
		try (WireClient again = alice().answerPullWith(offline).connect(uid)) {
			assertThat(again.awaitPull().path("from").asLong()).isEqualTo(5);
			await().until(() -> this.todos.findById("pulled-" + uid + "-8").isPresent());
			assertThat(this.todos.findById("pulled-" + uid + "-6")).isPresent();
		}
	}

	@Test
	void repliesToNothingTakeFromTheRateLimitAndAConnectionThatGoesOnIsClosed1008() {
		try (WireClient eager = alice().connect(uid("replies"))) {
			eager.awaitPull();
			long started = System.nanoTime();
			for (int i = 0; i < 5; i++) {
				eager.sendText("{\"type\":\"response\",\"id\":" + (1000 + i) + ",\"result\":true}");
			}
			// the five tokens went to the replies: the request is refused (one refusal)
			assertThat(eager.noop().path("code").asInt()).isEqualTo(429);
			// and three refused replies more are one more than syncro.rate-limit.max-refused
			for (int i = 0; i < 3; i++) {
				eager.sendText("{\"type\":\"error\",\"code\":500,\"message\":\"nothing asked\"}");
			}
			assertThat(eager.awaitClose()).isEqualTo(1008);
			// replies are never answered: the one 429 answered the noop
			assertThat(eager.received()).filteredOn((message) -> message.path("code").asInt() == 429).hasSize(1);
			System.out.printf("replies to nothing: 5 took the burst, a request was refused 429, 3 replies more were"
					+ " dropped and the connection closed 1008, in %d ms%n", millisSince(started));
		}
	}

	@Test
	void repliesLargerThanAnythingAskedAreDroppedUnreadAndAConnectionThatGoesOnIsClosed1008() {
		String large = "{\"type\":\"response\",\"id\":77,\"result\":[\"" + "x".repeat(400 * 1024) + "\"]}";
		try (WireClient eager = alice().connect(uid("large"))) {
			eager.awaitPull();
			long started = System.nanoTime();
			for (int i = 0; i < 3; i++) {
				eager.sendText(large);
			}
			// dropped unread, no token taken: a request is still answered
			assertThat(eager.noop().path("result").asBoolean()).isTrue();
			eager.sendText(large);
			assertThat(eager.awaitClose()).isEqualTo(1008);
			System.out.printf("large replies: 4 replies of 400 KiB to nothing dropped unread (refusals, no tokens),"
					+ " closed 1008 in %d ms%n", millisSince(started));
		}
	}

	@Test
	void uidsUnseenForLongerThanExpireAfterAreForgottenWithTheirRefusalsWhileConnectedOnesStay() {
		String gone = uid("gone");
		try (WireClient client = alice().connect(gone)) {
			assertThat(client.addScribe(create(1, "Nowhere", todo("n"))).path("code").asInt()).isEqualTo(403);
		}
		String recent = uid("recent");
		connectAndLeave(alice(), recent);
		String open = uid("open");
		try (WireClient connected = alice().connect(open)) {
			connected.awaitPull();
			assertThat(refusals(gone)).isEqualTo(1);
			long longAgo = System.currentTimeMillis() - Duration.ofDays(31).toMillis();
			this.jdbc.update("UPDATE syncro_client SET last_seen = ? WHERE uid IN (?, ?)", longAgo, gone, open);
			long started = System.nanoTime();
			assertThat(this.expiry.runOnce()).isEqualTo(1);
			long expiryMillis = millisSince(started);
			assertThat(bindings(gone)).isZero();
			assertThat(refusals(gone)).isZero();
			assertThat(bindings(recent)).isEqualTo(1);
			// seen by this run, as its connection is open
			assertThat(bindings(open)).isEqualTo(1);
			assertThat(connected.noop().path("result").asBoolean()).isTrue();
			System.out.printf("expiry: a uid unseen for 31 days forgotten with its refusal in %d ms; a recent one and"
					+ " an open one kept%n", expiryMillis);
		}
		// a client back after its uid was forgotten is pulled from no mark
		try (WireClient back = alice().connect(gone)) {
			assertThat(back.awaitPull().path("from").isNull()).isTrue();
		}
	}

	@Test
	void tomcatDropsClientsThatSendTheirHeadersSlowlySoThatOthersAreServedButKeepsIdleWebSockets() throws Exception {
		List<Socket> slow = new ArrayList<>();
		try (WireClient idle = alice().connect(uid("idle"))) {
			idle.awaitPull();
			long started = System.nanoTime();
			for (int i = 0; i < TOMCAT_MAX_CONNECTIONS; i++) {
				Socket socket = new Socket("localhost", this.port);
				socket.getOutputStream().write("GET /api/todos HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes());
				socket.getOutputStream().flush();
				slow.add(socket);
			}
			long getting = System.nanoTime();
			// a new connection of its own, behind the slow ones
			HttpClient fresh = HttpClient.newHttpClient();
			HttpResponse<String> answer = fresh.send(
					HttpRequest.newBuilder(url("/api/todos")).header("Authorization", SampleUsers.basic("alice")).build(),
					HttpResponse.BodyHandlers.ofString());
			long getMillis = millisSince(getting);
			assertThat(answer.statusCode()).isEqualTo(200);
			// well below Tomcat's own 60 s
			assertThat(getMillis).isLessThan(15_000);
			Socket first = slow.get(0);
			first.setSoTimeout(15_000);
			try {
				first.getInputStream().readAllBytes();
			}
			catch (java.net.SocketTimeoutException ex) {
				throw new AssertionError("The slow client was not dropped", ex);
			}
			catch (java.net.SocketException reset) {
				// dropped with a reset
			}
			// the WebSocket, silent all this time, is still open
			assertThat(idle.noop().path("result").asBoolean()).isTrue();
			System.out.printf("slow headers: %d clients sending partial headers filled Tomcat's %d connections; a GET"
					+ " was answered after %d ms (handshake-timeout 2 s), the first slow client dropped after %d ms;"
					+ " an idle WebSocket stayed open%n", slow.size(), TOMCAT_MAX_CONNECTIONS, getMillis,
					millisSince(started));
		}
		finally {
			for (Socket socket : slow) {
				socket.close();
			}
		}
	}

	private static long millisSince(long nanos) {
		return (System.nanoTime() - nanos) / 1_000_000;
	}

	/**
	 * Connects with a uid, waits for the server's pull (the uid is bound by then) and
	 * leaves.
	 */
	private String connectAndLeave(WireClient.Builder user, String uid) {
		try (WireClient client = user.connect(uid)) {
			client.awaitPull();
		}
		awaitCounted(0);
		return uid;
	}

	private int bindings(String uid) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM syncro_client WHERE uid = ?", Integer.class, uid);
	}

	private int bindingsOf(String principal) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM syncro_client WHERE principal = ?", Integer.class,
				principal);
	}

	private int refusals(String uid) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM syncro_refusal WHERE uid = ?", Integer.class, uid);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(url(path)).header("Authorization", SampleUsers.basic("alice")).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private URI url(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	@Test
	void scribeDataOverTheSizeOrNestingLimitIsRefused400ForGood() {
		try (WireClient client = alice().connect(uid("big"))) {
			String id = "big-" + uids.incrementAndGet();
			assertThat(badRequest(client.addScribe(create(1, "Todo", todo(id).put("title", "é".repeat(499)))), 1))
				.isEqualTo("A scribe's data is larger than 1024 bytes.");
			ArrayNode deep = json.arrayNode();
			deep.addArray().addArray().addArray().add("four levels below the data");
			assertThat(badRequest(client.addScribe(create(2, "Todo", todo(id).set("title", deep))), 2))
				.isEqualTo("A scribe's data is nested deeper than 4 levels.");
			assertThat(badRequest(client.addScribe(create(3, "K".repeat(17), todo(id))), 3))
				.isEqualTo("A klass must have 1 to 16 characters.");
			// within the limits the same record is fine, and the refusals settled ids 1 to 3
			assertThat(client.addScribe(create(4, "Todo", todo(id).put("title", "é".repeat(470)))).path("result")
				.asBoolean()).isTrue();
			assertThat(this.todos.findById(id)).isPresent();
		}
	}

	@Test
	void rpcsOverTheNameOrArgumentLimitsAreRefused400() {
		// five requests: the burst of syncro.rate-limit.burst
		try (WireClient client = alice().connect(uid("rpc"))) {
			assertThat(client.rpc("Syncro", "m".repeat(16), json.arrayNode()).path("code").asInt()).isEqualTo(405);
			assertThat(client.rpc("Syncro", "m".repeat(17), json.arrayNode()).path("message").asString())
				.isEqualTo("An rpc method must have 1 to 16 characters.");
			assertThat(client.rpc("K".repeat(17), "last_scribe_id", json.arrayNode()).path("message").asString())
				.isEqualTo("A klass must have 1 to 16 characters.");
			ArrayNode large = json.arrayNode().add("x".repeat(1100));
			JsonNode tooLarge = client.rpc("Syncro", "last_scribe_id", large);
			assertThat(tooLarge.path("code").asInt()).isEqualTo(400);
			assertThat(tooLarge.path("message").asString()).isEqualTo("An rpc's arguments are larger than 1024 bytes.");
			ArrayNode deep = json.arrayNode();
			deep.addArray().addArray().addArray().addArray().add("five levels");
			assertThat(client.rpc("Syncro", "last_scribe_id", deep).path("message").asString())
				.isEqualTo("An rpc's arguments are nested deeper than 4 levels.");
		}
	}

	@Test
	void uidsLongerThanTheLimitAreRefusedAtTheHandshake400() {
		assertThat(alice().handshakeStatus("u".repeat(21))).isEqualTo(400);
		try (WireClient client = alice().connect("u".repeat(20))) {
			assertThat(client.sync(null).path("type").asString()).isEqualTo("response");
		}
	}

	private static String badRequest(JsonNode reply, long scribe) {
		assertThat(reply.path("type").asString()).isEqualTo("error");
		assertThat(reply.path("code").asInt()).as(reply.toString()).isEqualTo(400);
		assertThat(reply.path("scribe").asLong()).isEqualTo(scribe);
		return reply.path("message").asString();
	}

	private static ObjectNode todo(String id) {
		return json.objectNode().put("id", id).put("title", "t").put("done", false);
	}

	/**
	 * Waits until the server counts this many open connections. A client sees its handshake
	 * answered before the server's WebSocket opens and is counted; a handshake in that gap
	 * passes the check and is closed 1013 or 1008 once open (see ConnectionLimits), which
	 * is not what these tests are about.
	 */
	private void awaitCounted(int connections) {
		await().until(() -> this.endpoint.openConnections() == connections);
	}

	private WireClient.Builder alice() {
		return SampleUsers.alice(this.port);
	}

	private WireClient.Builder bob() {
		return SampleUsers.signedIn("bob", this.port);
	}

	private WireClient.Builder carol() {
		return SampleUsers.signedIn("carol", this.port);
	}

}

package io.syncro.sample.audience;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.client.Backoff;
import io.syncro.client.MemoryLocalStore;
import io.syncro.client.SyncroClient;
import io.syncro.sample.SampleUsers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Random operations on lists, their Todos, shared Todos and Pages, by REST as random
 * users and by the clients themselves, while clients of three users (two devices each)
 * go offline and come back. At each quiet point every client holds exactly the records
 * its user may see, as the test's own SQL over the sample's tables says: the Pages the
 * user owns, the lists the user is a member of, the shared Todos and those of the user's
 * lists; of the Todos, only those of its subscriptions when it has any (clients subscribe
 * to a list's Todos or to the shared ones, and unsubscribe, at random). The seed is printed; {@code -Daudience.seed=<seed>} runs the same operations.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:audience-property;DB_CLOSE_DELAY=-1")
class AudiencePropertyTests {

	private static final List<String> USERS = List.of("alice", "bob", "carol");

	private static final int QUIET_POINTS = 6;

	private static final int OPERATIONS = 30;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final JsonNodeFactory json = JsonNodeFactory.instance;

	private static final AtomicInteger names = new AtomicInteger();

	private final AtomicInteger subscriptionChanges = new AtomicInteger();

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<Device> devices = new ArrayList<>();

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@AfterEach
	void closeDevices() {
		this.devices.forEach(Device::offline);
	}

	@Test
	void everyClientHoldsExactlyWhatItsUserMaySeeAtEveryQuietPoint() throws Exception {
		long seed = Long.getLong("audience.seed", System.nanoTime());
		System.out.println("Audience property test, seed " + seed + " (rerun with -Daudience.seed=" + seed + ")");
		Random random = new Random(seed);
		for (String user : USERS) {
			for (int device = 1; device <= 2; device++) {
				Device d = new Device(user, user + "-" + device + "-" + seed % 100000);
				d.online();
				this.devices.add(d);
			}
		}
		int operations = 0;
		for (int point = 1; point <= QUIET_POINTS; point++) {
			for (int i = 0; i < OPERATIONS; i++) {
				operate(random);
				operations++;
			}
			this.devices.forEach(Device::online);
			for (Device device : this.devices) {
				device.client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
				device.client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
				device.subscribed();
			}
			int quietPoint = point;
			for (Device device : this.devices) {
				await().atMost(WAIT).untilAsserted(() -> assertThat(device.held())
					.as("%s of %s, subscribed to %s, at quiet point %d (seed %d)", device.uid, device.user,
							device.client.subscriptions(), quietPoint, seed)
					.isEqualTo(mayBeSeenBy(device)));
			}
		}
		System.out.println("Audience property test, seed " + seed + ": " + operations + " operations, " + QUIET_POINTS
				+ " quiet points, " + this.devices.size() + " clients of " + USERS.size() + " users converged; "
				+ this.jdbc.queryForObject("SELECT COUNT(*) FROM todo_list", Integer.class) + " lists, "
				+ this.jdbc.queryForObject("SELECT COUNT(*) FROM todo", Integer.class) + " todos, "
				+ this.jdbc.queryForObject("SELECT COUNT(*) FROM page", Integer.class) + " pages at the end; "
				+ this.subscriptionChanges + " subscribes and unsubscribes");
	}

	/** One random operation; a refused one (403, 404) is part of the game. */
	private void operate(Random random) throws Exception {
		String user = pick(random, USERS);
		List<String> lists = this.jdbc.queryForList("SELECT id FROM todo_list ORDER BY id", String.class);
		List<String> todos = this.jdbc.queryForList("SELECT id FROM todo ORDER BY id", String.class);
		List<String> pages = this.jdbc.queryForList("SELECT id FROM page ORDER BY id", String.class);
		switch (random.nextInt(16)) {
			case 0, 1 -> rest(user, "POST", "/api/lists", json.objectNode().put("name", "list " + names.incrementAndGet())
				.set("members", members(random)));
			case 2, 3 -> {
				if (!lists.isEmpty()) {
					rest(user, "PATCH", "/api/lists/" + pick(random, lists), json.objectNode().set("members", members(random)));
				}
			}
			case 4 -> {
				if (!lists.isEmpty() && random.nextInt(3) == 0) {
					rest(user, "DELETE", "/api/lists/" + pick(random, lists), null);
				}
			}
			case 5, 6 -> {
				ObjectNode todo = json.objectNode().put("title", "todo " + names.incrementAndGet());
				if (!lists.isEmpty() && random.nextBoolean()) {
					todo.put("listId", pick(random, lists));
				}
				rest(user, "POST", "/api/todos", todo);
			}
			case 7 -> {
				if (!todos.isEmpty()) {
					ObjectNode move = json.objectNode();
					if (lists.isEmpty() || random.nextInt(3) == 0) {
						move.putNull("listId");
					}
					else {
						move.put("listId", pick(random, lists));
					}
					rest(user, "PATCH", "/api/todos/" + pick(random, todos), move);
				}
			}
			case 8 -> {
				if (!todos.isEmpty()) {
					rest(user, random.nextBoolean() ? "DELETE" : "PATCH", "/api/todos/" + pick(random, todos),
							json.objectNode().put("done", random.nextBoolean()));
				}
			}
			case 9 -> rest(user, "POST", "/api/pages", json.objectNode().put("title", "page " + names.incrementAndGet()));
			case 10 -> {
				if (!pages.isEmpty()) {
					rest(user, "PATCH", "/api/pages/" + pick(random, pages), json.objectNode().put("owner", pick(random, USERS)));
				}
			}
			case 11 -> {
				if (!pages.isEmpty()) {
					rest(user, "DELETE", "/api/pages/" + pick(random, pages), null);
				}
			}
			case 12 -> {
				Device device = pick(random, this.devices);
				if (random.nextBoolean()) {
					device.offline();
				}
				else {
					device.online();
				}
			}
			case 13 -> {
				// a device narrows its Todos: to a list (maybe not its user's: refused 403), or
				// to the shared ones
				Device device = pick(random, this.devices);
				if (device.client != null) {
					this.subscriptionChanges.incrementAndGet();
					device.subscribing.add((lists.isEmpty() || random.nextInt(3) == 0)
							? device.client.subscribe("sharedTodos", Map.of())
							: device.client.subscribe("listTodos", Map.of("listId", pick(random, lists))));
				}
			}
			case 14 -> {
				Device device = pick(random, this.devices);
				if (device.client != null && !device.client.subscriptions().isEmpty()) {
					Map.Entry<String, ObjectNode> subscription = pick(random, device.client.subscriptions());
					this.subscriptionChanges.incrementAndGet();
					device.subscribing.add(device.client.unsubscribe(subscription.getKey(), subscription.getValue()));
				}
			}
			default -> {
				// a client writes: into a list of its user's or a shared Todo, offline or online
				Device device = pick(random, this.devices);
				if (device.client == null) {
					device.online();
				}
				List<ObjectNode> mine = device.client.collection("TodoList").all();
				ObjectNode todo = json.objectNode().put("id", "c-" + names.incrementAndGet())
					.put("title", "from " + device.uid)
					.put("done", false);
				if (!mine.isEmpty() && random.nextBoolean()) {
					todo.put("listId", mine.get(random.nextInt(mine.size())).path("id").asString());
				}
				device.client.collection("Todo").create(todo);
			}
		}
	}

	/**
	 * What a device may see: what its user may see, its Todos narrowed to those of its
	 * subscriptions when it has any (the Todos of a list, or those without one), by the
	 * test's own reading of the scopes.
	 */
	private Map<String, JsonNode> mayBeSeenBy(Device device) {
		Map<String, JsonNode> records = mayBeSeenBy(device.user);
		List<Map.Entry<String, ObjectNode>> subscriptions = device.client.subscriptions();
		if (!subscriptions.isEmpty()) {
			records.entrySet().removeIf((record) -> record.getKey().startsWith("Todo ") && subscriptions.stream()
				.noneMatch((subscription) -> subscription.getKey().equals("sharedTodos") ? !record.getValue().has("listId")
						: subscription.getValue().path("listId").equals(record.getValue().path("listId"))));
		}
		return records;
	}

	/** What a user may see, by the test's own SQL: independent of the app's policies. */
	private Map<String, JsonNode> mayBeSeenBy(String user) {
		Map<String, JsonNode> records = new TreeMap<>();
		List<String> lists = new ArrayList<>();
		this.jdbc.query("SELECT id, name, members FROM todo_list", (row) -> {
			List<String> members = Arrays.asList(row.getString("members").split(","));
			if (members.contains(user)) {
				ArrayNode memberArray = json.arrayNode();
				members.forEach(memberArray::add);
				String id = row.getString("id");
				lists.add(id);
				records.put("TodoList " + id,
						json.objectNode().put("id", id).put("name", row.getString("name")).set("members", memberArray));
			}
		});
		this.jdbc.query("SELECT id, title, done, list_id FROM todo", (row) -> {
			String listId = row.getString("list_id");
			if (listId == null || lists.contains(listId)) {
				ObjectNode todo = json.objectNode()
					.put("id", row.getString("id"))
					.put("title", row.getString("title"))
					.put("done", row.getBoolean("done"));
				if (listId != null) {
					todo.put("listId", listId);
				}
				records.put("Todo " + row.getString("id"), todo);
			}
		});
		this.jdbc.query("SELECT id, owner, title, body FROM page WHERE owner = ?", (row) -> {
			records.put("Page " + row.getString("id"), json.objectNode()
				.put("id", row.getString("id"))
				.put("owner", row.getString("owner"))
				.put("title", row.getString("title"))
				.put("body", row.getString("body")));
		}, user);
		return records;
	}

	private ArrayNode members(Random random) {
		ArrayNode members = json.arrayNode();
		USERS.stream().filter((user) -> random.nextBoolean()).forEach(members::add);
		if (members.isEmpty()) {
			members.add(pick(random, USERS));
		}
		return members;
	}

	private void rest(String user, String method, String path, @Nullable JsonNode body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Authorization", SampleUsers.basic(user))
			.header("Content-Type", "application/json")
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body.toString())
					: HttpRequest.BodyPublishers.noBody())
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("%s %s as %s: %s", method, path, user, response.body())
			.isIn(200, 201, 204, 403, 404);
	}

	private static ObjectNode withoutNulls(ObjectNode record) {
		ObjectNode copy = record.deepCopy();
		List<String> nulls = copy.properties().stream().filter((attribute) -> attribute.getValue().isNull())
			.map(Map.Entry::getKey)
			.toList();
		copy.remove(nulls);
		return copy;
	}

	private static <T> T pick(Random random, List<T> from) {
		return from.get(random.nextInt(from.size()));
	}

	/**
	 * A device of a user: a uid and its local store, with a client while online.
	 */
	private final class Device {

		final String user;

		final String uid;

		final MemoryLocalStore store = new MemoryLocalStore();

		@Nullable SyncroClient client;

		// the subscribes and unsubscribes not yet answered
		final List<CompletableFuture<JsonNode>> subscribing = new ArrayList<>();

		Device(String user, String uid) {
			this.user = user;
			this.uid = uid;
		}

		void online() {
			if (this.client == null) {
				this.client = SyncroClient.builder(URI.create("ws://localhost:" + AudiencePropertyTests.this.port + "/syncro"))
					.uid(this.uid)
					.store(this.store)
					.basicAuthentication(this.user, this.user + "-secret")
					.klasses("Todo", "TodoList", "Page")
					.backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.5))
					.build();
				this.client.connect();
			}
		}

		/** Waits for the answers to the subscribes and unsubscribes made; refusals are part of the game. */
		void subscribed() {
			for (CompletableFuture<JsonNode> answer : this.subscribing) {
				answer.handle((result, failure) -> result).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
			}
			this.subscribing.clear();
		}

		void offline() {
			if (this.client != null) {
				this.client.close();
				this.client = null;
			}
		}

		Map<String, JsonNode> held() {
			Map<String, JsonNode> records = new HashMap<>();
			SyncroClient current = this.client;
			if (current != null) {
				for (String klass : List.of("TodoList", "Todo", "Page")) {
					// an attribute a change removed arrives as null (PROTOCOL.md section 4.1): as absent
					current.collection(klass).all().forEach((record) -> records.put(klass + " " + record.path("id").asString(),
							withoutNulls(record)));
				}
			}
			return new TreeMap<>(records);
		}

	}

}

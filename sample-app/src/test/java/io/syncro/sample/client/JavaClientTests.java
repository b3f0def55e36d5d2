package io.syncro.sample.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.client.Backoff;
import io.syncro.client.ChangeEvent;
import io.syncro.client.RefusedEvent;
import io.syncro.client.SyncroClient;
import io.syncro.client.SyncroCollection;
import io.syncro.sample.SampleUsers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Java client against the sample app on a real Tomcat, through a TCP gate the test
 * opens, cuts and shuts: edits made while the server is unreachable reach it once it is,
 * refused ones are rolled back, lost connections are reopened, and the client, a second
 * client and the REST API end up with the same records.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:javaclient;DB_CLOSE_DELAY=-1")
class JavaClientTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	static final JsonMapper json = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final AtomicInteger markers = new AtomicInteger();

	@LocalServerPort
	private int port;

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void closeResources() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	private URI server() {
		return URI.create("ws://localhost:" + this.port + "/syncro");
	}

	private SyncroClient client(URI server, String user, String uid) {
		SyncroClient client = SyncroClient.builder(server)
			.uid(uid)
			.basicAuthentication(user, user + "-secret")
			.klasses("Todo", "Page")
			.backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2, 0.5))
			.build();
		this.resources.add(client);
		return client;
	}

	private TcpGate gate() throws Exception {
		TcpGate gate = TcpGate.to(this.port);
		this.resources.add(gate);
		return gate;
	}

	private static String marker() {
		return "jc" + markers.incrementAndGet() + "-" + System.nanoTime() % 100000;
	}

	private static Set<Todo> marked(List<Todo> todos, String marker) {
		Set<Todo> marked = new HashSet<>();
		todos.stream().filter((todo) -> todo.id().startsWith(marker)).forEach(marked::add);
		return marked;
	}

	private static void awaitOnlineAndSettled(SyncroClient client) throws Exception {
		client.whenOnline().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		client.whenSettled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	@Test
	void editsMadeWhileTheServerIsUnreachableReachItAndEveryoneConverges() throws Exception {
		String marker = marker();
		String aliceUid = "alice-" + marker;
		TcpGate gate = gate();
		SyncroClient alice = client(gate.syncroUri(), "alice", aliceUid);
		SyncroCollection<Todo> todos = alice.collection(Todo.class);
		SyncroCollection<Page> pages = alice.collection(Page.class);
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		alice.onError(errors::add);
		List<RefusedEvent> refusals = new CopyOnWriteArrayList<>();
		alice.onRefused(refusals::add);
		alice.connect();
		await().atMost(WAIT).until(() -> !errors.isEmpty());

		for (int i = 1; i <= 5; i++) {
			todos.create(new Todo(marker + "-" + i, "offline " + i, false));
		}
		todos.update(marker + "-1", Map.of("done", true));
		todos.save(new Todo(marker + "-2", "offline 2, edited", true));
		todos.destroy(marker + "-3");
		Page alicesPage = new Page(marker + "-page", "alice", "Alice's page", "written offline");
		pages.create(alicesPage);
		pages.create(new Page(marker + "-foreign", "bob", "Not mine to write", ""));
		assertThat(alice.status()).isNotEqualTo(SyncroClient.Status.ONLINE);
		assertThat(alice.pendingWrites()).isEqualTo(10);
		assertThat(marked(restTodos(), marker)).isEmpty();

		Todo fromRest = json.readValue(rest("POST", "/api/todos", "{\"title\":\"from REST " + marker + "\"}"), Todo.class);
		SyncroClient bob = client(server(), "bob", "bob-" + marker);
		SyncroCollection<Todo> bobsTodos = bob.collection(Todo.class);
		bob.connect();
		awaitOnlineAndSettled(bob);
		// alice on another device, online all along
		SyncroClient alicesPhone = client(server(), "alice", "alice-phone-" + marker);
		alicesPhone.connect();
		awaitOnlineAndSettled(alicesPhone);

		gate.open();
		awaitOnlineAndSettled(alice);

		Set<Todo> expected = Set.of(new Todo(marker + "-1", "offline 1", true),
				new Todo(marker + "-2", "offline 2, edited", true), new Todo(marker + "-4", "offline 4", false),
				new Todo(marker + "-5", "offline 5", false));
		assertThat(marked(restTodos(), marker)).isEqualTo(expected);
		await().atMost(WAIT).until(() -> marked(todos.all(), marker).equals(expected)
				&& marked(bobsTodos.all(), marker).equals(expected) && todos.get(fromRest.id()).isPresent());
		assertThat(todos.get(fromRest.id())).contains(fromRest);

		await().atMost(WAIT).until(() -> refusals.size() == 1);
		assertThat(refusals.get(0).code()).isEqualTo(403);
		assertThat(refusals.get(0).id()).isEqualTo(marker + "-foreign");
		assertThat(pages.all()).filteredOn((page) -> page.id().startsWith(marker)).containsExactly(alicesPage);
		assertThat(restPages("alice")).filteredOn((page) -> page.id().startsWith(marker)).containsExactly(alicesPage);
		assertThat(restPages("bob")).noneMatch((page) -> page.id().startsWith(marker));
		// her page reaches her other device, and no client of bob's
		await().atMost(WAIT).until(() -> alicesPhone.collection(Page.class).get(alicesPage.id()).isPresent());
		assertThat(alicesPhone.collection(Page.class).all()).filteredOn((page) -> page.id().startsWith(marker))
			.containsExactly(alicesPage);
		assertThat(bob.collection(Page.class).all()).noneMatch((page) -> page.id().startsWith(marker));

		// and live both ways
		bobsTodos.update(marker + "-4", Map.of("title", "edited by bob", "done", true));
		rest("PATCH", "/api/todos/" + marker + "-5", "{\"done\":true}");
		await().atMost(WAIT).until(() -> todos.get(marker + "-4").map(Todo::title).orElse("").equals("edited by bob")
				&& todos.get(marker + "-5").map(Todo::done).orElse(false));
		assertThat(alice.position()).isPositive();
	}

	@Test
	void cutConnectionsAreReopenedAndWritesOnBothSidesConverge() throws Exception {
		String marker = marker();
		TcpGate gate = gate();
		gate.open();
		SyncroClient alice = client(gate.syncroUri(), "alice", "alice-" + marker);
		SyncroCollection<Todo> todos = alice.collection(Todo.class);
		List<SyncroClient.Status> statuses = new CopyOnWriteArrayList<>();
		alice.onStatus(statuses::add);
		List<ChangeEvent<Todo>> remote = new CopyOnWriteArrayList<>();
		todos.onChange((change) -> {
			if (change.source() == ChangeEvent.Source.REMOTE && change.id().startsWith(marker)) {
				remote.add(change);
			}
		});
		SyncroClient bob = client(server(), "bob", "bob-" + marker);
		SyncroCollection<Todo> bobsTodos = bob.collection(Todo.class);
		alice.connect();
		bob.connect();
		awaitOnlineAndSettled(alice);
		awaitOnlineAndSettled(bob);

		for (int round = 0; round < 3; round++) {
			for (int i = 0; i < 20; i++) {
				todos.create(new Todo(marker + "-a" + round + "-" + i, "alice " + i, false));
				bobsTodos.create(new Todo(marker + "-b" + round + "-" + i, "bob " + i, false));
			}
			String prefixA = marker + "-a" + round + "-";
			String prefixB = marker + "-b" + round + "-";
			await().atMost(WAIT).until(() -> count(todos.all(), prefixB) == 20 && count(bobsTodos.all(), prefixA) == 20);
			long offline = statuses.stream().filter((status) -> status == SyncroClient.Status.OFFLINE).count();
			gate.cut();
			await().atMost(WAIT)
				.until(() -> statuses.stream().filter((status) -> status == SyncroClient.Status.OFFLINE).count() > offline);
			for (int i = 0; i < 20; i += 4) {
				todos.update(marker + "-b" + round + "-" + i, Map.of("done", true));
				bobsTodos.update(marker + "-a" + round + "-" + i, Map.of("title", "renamed by bob", "done", true));
			}
			awaitOnlineAndSettled(alice);
		}
		awaitOnlineAndSettled(bob);

		await().atMost(WAIT).until(() -> {
			Set<Todo> onServer = marked(restTodos(), marker);
			return onServer.size() == 120 && marked(todos.all(), marker).equals(onServer)
					&& marked(bobsTodos.all(), marker).equals(onServer);
		});
		Set<Todo> onServer = marked(restTodos(), marker);
		assertThat(onServer).filteredOn(Todo::done).hasSize(30);
		assertThat(onServer).filteredOn((todo) -> todo.title().equals("renamed by bob")).hasSize(15);
		assertThat(statuses).containsSubsequence(SyncroClient.Status.ONLINE, SyncroClient.Status.OFFLINE,
				SyncroClient.Status.ONLINE, SyncroClient.Status.OFFLINE, SyncroClient.Status.ONLINE);
		// each of bob's 60 creates and 15 renames reached alice once
		assertThat(remote).hasSize(75);
	}

	private static long count(List<Todo> todos, String prefix) {
		return todos.stream().filter((todo) -> todo.id().startsWith(prefix)).count();
	}

	private List<Todo> restTodos() throws Exception {
		return List.of(json.readValue(rest("GET", "/api/todos", null), Todo[].class));
	}

	private List<Page> restPages(String user) throws Exception {
		return List.of(json.readValue(rest(user, "GET", "/api/pages", null), Page[].class));
	}

	private String rest(String method, String path, @Nullable String body) throws Exception {
		return rest("alice", method, path, body);
	}

	private String rest(String user, String method, String path, @Nullable String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.header("Authorization", SampleUsers.basic(user))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
		return response.body();
	}

	/**
	 * A Todo as the Java client and the REST API see it.
	 */
	record Todo(String id, String title, boolean done) {
	}

	/**
	 * A Page as the Java client and the REST API see it.
	 */
	record Page(String id, String owner, String title, String body) {
	}

}

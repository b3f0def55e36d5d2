package io.syncro.sample.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.syncro.client.ChangeEvent;
import io.syncro.client.SyncroClient;
import io.syncro.client.SyncroCollection;
import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import io.syncro.sample.client.JavaClientTests.Page;
import io.syncro.sample.client.JavaClientTests.Todo;
import io.syncro.scribe.ScribeType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Java client as a separate process on a {@link io.syncro.client.FileLocalStore}: it
 * edits while the server is unreachable and is killed, then a new process on the same
 * file connects; the server, the REST API and a second client see every edit exactly
 * once; the Page it wrote reaches that client, another of its user's, and no client of
 * another user.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:javaclient;DB_CLOSE_DELAY=-1")
class JavaClientRestartTests {

	@LocalServerPort
	private int port;

	@TempDir
	Path folder;

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void killProcesses() {
		this.processes.forEach(Process::destroyForcibly);
	}

	@Test
	void aKilledClientProcessSendsItsOfflineEditsOnceWhenStartedAgain() throws Exception {
		String marker = "restart-" + System.nanoTime() % 1000000;
		Path store = this.folder.resolve("client.json");
		try (TcpGate unreachable = TcpGate.to(this.port)) {
			Process editing = start(store, unreachable.syncroUri().toString(), "edit", marker);
			String[] edited = awaitLine(editing, "EDITED").split(" ");
			String uid = edited[1];
			assertThat(edited[2]).isEqualTo("11");
			editing.destroyForcibly();
			assertThat(editing.waitFor(30, TimeUnit.SECONDS)).isTrue();

			JsonNode onDisk = MessageCodec.readTree(Files.readString(store, StandardCharsets.UTF_8));
			assertThat(onDisk.path("uid").asString()).isEqualTo(uid);
			assertThat(onDisk.path("pending")).hasSize(11);
			assertThat(restTodos(marker)).isEmpty();

			Process syncing = start(store, "ws://localhost:" + this.port + "/syncro", "sync", marker);
			assertThat(awaitLine(syncing, "SYNCED")).isEqualTo("SYNCED " + uid + " 0");
			assertThat(syncing.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(syncing.exitValue()).isZero();

			Set<Todo> expected = Set.of(new Todo(marker + "-1", "offline 1", true),
					new Todo(marker + "-2", "offline 2, edited", true), new Todo(marker + "-4", "offline 4", false),
					new Todo(marker + "-5", "offline 5", false));
			assertThat(restTodos(marker)).isEqualTo(expected);
			Page page = new Page(marker + "-page", "alice", "Mine", "written offline");
			assertThat(JavaClientTests.json.readValue(rest("alice", "/api/pages"), Page[].class))
				.filteredOn((mine) -> mine.id().startsWith(marker))
				.containsExactly(page);
			assertThat(JavaClientTests.json.readValue(rest("bob", "/api/pages"), Page[].class))
				.noneMatch((bobs) -> bobs.id().startsWith(marker));

			// a second client of alice's, fresh, receives each change of the server's log
			// once: no edit was played twice; her page reaches it, as it does every client
			// of hers
			try (SyncroClient observer = observer("alice")) {
				SyncroCollection<Todo> todos = observer.collection(Todo.class);
				List<ChangeEvent<Todo>> changes = new CopyOnWriteArrayList<>();
				todos.onChange((change) -> {
					if (change.id().startsWith(marker)) {
						changes.add(change);
					}
				});
				List<ChangeEvent<Page>> pageChanges = new CopyOnWriteArrayList<>();
				observer.collection(Page.class).onChange((change) -> {
					if (change.id().startsWith(marker)) {
						pageChanges.add(change);
					}
				});
				observer.connect().whenOnline().get(30, TimeUnit.SECONDS);
				await().atMost(Duration.ofSeconds(30)).until(() -> changes.size() >= 10 && !pageChanges.isEmpty());
				assertThat(new HashSet<>(todos.all().stream().filter((todo) -> todo.id().startsWith(marker)).toList()))
					.isEqualTo(expected);
				assertThat(changes).extracting(ChangeEvent::type)
					.filteredOn((type) -> type == ScribeType.CREATE)
					.hasSize(6);
				assertThat(changes).extracting(ChangeEvent::type)
					.filteredOn((type) -> type == ScribeType.UPDATE)
					.hasSize(2);
				assertThat(changes).extracting(ChangeEvent::type)
					.filteredOn((type) -> type == ScribeType.DESTROY)
					.hasSize(2);
				assertThat(observer.collection(Page.class).all()).filteredOn((mine) -> mine.id().startsWith(marker))
					.containsExactly(page);
				assertThat(pageChanges).extracting(ChangeEvent::type).containsExactly(ScribeType.CREATE);
			}
			// and no client of another user's
			try (SyncroClient bobs = observer("bob")) {
				bobs.connect().whenOnline().get(30, TimeUnit.SECONDS);
				assertThat(bobs.collection(Todo.class).all()).filteredOn((todo) -> todo.id().startsWith(marker))
					.hasSize(expected.size());
				assertThat(bobs.collection(Page.class).all()).noneMatch((bobsPage) -> bobsPage.id().startsWith(marker));
			}
		}
	}

	private Process start(Path store, String uri, String mode, String marker) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				JavaClientProcess.class.getName(), store.toString(), uri, mode, marker)
			.redirectErrorStream(true)
			.start();
		this.processes.add(process);
		return process;
	}

	/**
	 * Reads the process's output until a line starts with the prefix; fails with all it
	 * printed if it ends first or takes too long.
	 */
	private static String awaitLine(Process process, String prefix) throws Exception {
		List<String> output = new CopyOnWriteArrayList<>();
		CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
			try {
				BufferedReader reader = new BufferedReader(
						new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
				String read;
				while ((read = reader.readLine()) != null) {
					output.add(read);
					if (read.startsWith(prefix)) {
						return read;
					}
				}
				throw new IllegalStateException("The client process ended without printing " + prefix);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		try {
			return line.get(60, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("No " + prefix + " line; the client process printed: " + output, ex);
		}
	}

	private Set<Todo> restTodos(String marker) throws Exception {
		Set<Todo> todos = new HashSet<>();
		for (Todo todo : JavaClientTests.json.readValue(rest("alice", "/api/todos"), Todo[].class)) {
			if (todo.id().startsWith(marker)) {
				todos.add(todo);
			}
		}
		return todos;
	}

	private SyncroClient observer(String user) {
		return SyncroClient.builder(URI.create("ws://localhost:" + this.port + "/syncro"))
			.basicAuthentication(user, user + "-secret")
			.klasses("Todo", "Page")
			.build();
	}

	private String rest(String user, String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
				.header("Authorization", SampleUsers.basic(user))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}

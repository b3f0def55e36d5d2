package io.syncro.sample.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleRecords;
import io.syncro.sample.SampleUsers;
import io.syncro.sample.reliability.CuttingProxy.Direction;
import io.syncro.testing.Scribes;
import io.syncro.testing.WireClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.testing.WireMessages.addScribe;
import static io.syncro.testing.WireMessages.isReplyTo;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7, item 2: a client whose connection drops after it sent a scribe and before the
 * answer came back resends the same scribe (same client scribe id) on a new connection,
 * and the server plays it exactly once (PROTOCOL.md section 4). The connection is cut by
 * a proxy that reads the WebSocket frames, at the frame that matters.
 * <p>
 * Rerun: {@code mvn -B -pl sample-app -am verify -Dtest=ExactlyOnceRetryTests
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:reliability-retries;DB_CLOSE_DELAY=-1")
class ExactlyOnceRetryTests {

	private static final Duration DEADLINE = Duration.ofSeconds(20);

	@LocalServerPort
	private int port;

	@Test
	void aCreateWhoseAnswerWasLostIsPlayedOnceWhenResent() throws Exception {
		String writer = "writer-" + UUID.randomUUID();
		String recordId = "once-" + UUID.randomUUID();
		Rest rest = new Rest(this.port, "alice");
		ObjectNode create = Scribes.create(1, "Todo", SampleRecords.todo(recordId, "exactly once"));
		try (CuttingProxy proxy = CuttingProxy.to(this.port);
				WireClient watcher = SampleUsers.alice(this.port).live("watcher-" + UUID.randomUUID())) {
			WireClient first = connectAfterPull(proxy, writer, List.of());
			var cut = proxy.cutAt(Direction.TO_CLIENT, (frame) -> isAnswerTo(frame, 1));
			assertThat(first.send(addScribe(create.deepCopy())).id()).isEqualTo(1);
			String lostAnswer = cut.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
			assertThat(first.closeCode().get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1006);
			try (WireClient second = connectAfterPull(proxy, writer, List.of())) {
				assertThat(second.awaitPull().path("from").asLong()).as("the server's mark after the lost answer")
					.isEqualTo(1);
				JsonNode again = second.request(addScribe(create.deepCopy()));
				System.out.printf("exactly-once create: answer lost on the way to the client: %s; resend answered: %s%n",
						lostAnswer, again);
				assertThat(MessageCodec.readTree(lostAnswer).path("result").asBoolean()).isTrue();
				assertThat(again.path("type").asString()).isEqualTo("response");
				assertThat(again.path("result").asBoolean()).isTrue();
			}
			List<JsonNode> records = listOf(rest.get("/api/todos"), recordId);
			assertThat(records).hasSize(1);
			assertThat(records.get(0).path("title").asString()).isEqualTo("exactly once");
			List<JsonNode> seen = scribesOf(watcherAfterBarrier(watcher, rest), recordId);
			assertThat(seen).extracting((scribe) -> scribe.path("type").asString()).containsExactly("create");
			assertThat(scribesOf(fullSync(), recordId)).hasSize(1);
		}
	}

	@Test
	void updatesResentAfterALostAnswerOrALostRequestArePlayedExactlyOnceEach() throws Exception {
		int rounds = Integer.getInteger("syncro.retries.rounds", 20);
		String writer = "writer-" + UUID.randomUUID();
		Rest rest = new Rest(this.port, "alice");
		String recordId = rest.post("/api/todos", "{\"title\":\"title 0\"}").path("id").asString();
		List<String> expected = new ArrayList<>(List.of("create title 0"));
		int lostAnswers = 0;
		int lostRequests = 0;
		long started = System.nanoTime();
		try (CuttingProxy proxy = CuttingProxy.to(this.port);
				WireClient watcher = SampleUsers.alice(this.port).live("watcher-" + UUID.randomUUID())) {
			watcher.awaitScribes((scribe) -> scribe.toString().contains(recordId), 1);
			for (int k = 1; k <= rounds; k++) {
				boolean answerLost = (k % 2 == 1);
				ObjectNode update = Scribes.update(k, "Todo", recordId, json.objectNode().put("title", "client " + k));
				WireClient client = connectAfterPull(proxy, writer, List.of());
				var cut = answerLost ? proxy.cutAt(Direction.TO_CLIENT, (frame) -> isAnswerTo(frame, 1))
						: proxy.cutAt(Direction.TO_SERVER, (frame) -> frame.contains("\"add_scribe\""));
				assertThat(client.send(addScribe(update.deepCopy())).id()).isEqualTo(1);
				cut.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
				assertThat(client.closeCode().get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1006);
				// another writer changes the same record while the client is cut off: a replay
				// of the client's scribe would overwrite this newer title
				rest.patch("/api/todos/" + recordId, "{\"title\":\"rest " + k + "\"}");
				String restTitle = "rest " + k;
				watcher.awaitScribes((scribe) -> scribe.toString().contains(restTitle), 1);
				// the client does not know whether the server got it: it offers the scribe in its
				// answer to the server's pull and resends it by add_scribe too
				try (WireClient again = connectAfterPull(proxy, writer, List.of(update))) {
					long from = again.awaitPull().path("from").asLong(0);
					assertThat(from).as("the server's mark on reconnecting in round " + k).isEqualTo(answerLost ? k : k - 1);
					JsonNode reply = again.request(addScribe(update.deepCopy()));
					assertThat(reply.path("type").asString()).as(reply.toString()).isEqualTo("response");
					assertThat(reply.path("result").asBoolean()).isTrue();
				}
				if (answerLost) {
					expected.add("update client " + k);
					expected.add("update rest " + k);
					lostAnswers++;
				}
				else {
					expected.add("update rest " + k);
					expected.add("update client " + k);
					lostRequests++;
				}
				String title = listOf(rest.get("/api/todos"), recordId).get(0).path("title").asString();
				assertThat(title).isEqualTo(answerLost ? "rest " + k : "client " + k);
			}
			List<String> seen = describe(scribesOf(watcherAfterBarrier(watcher, rest), recordId));
			List<String> logged = describe(scribesOf(fullSync(), recordId));
			System.out.printf(
					"exactly-once retries: %d rounds (%d answers lost after the server played, %d requests lost before it), "
							+ "%d changes expected, watcher saw %d, log holds %d, in %d ms%n",
					rounds, lostAnswers, lostRequests, expected.size(), seen.size(), logged.size(),
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
			assertThat(seen).containsExactlyElementsOf(expected);
			assertThat(logged).containsExactlyElementsOf(expected);
		}
	}

	/**
	 * Connects as a client and waits for the server's pull, which the client answers with
	 * the given scribes above its {@code from}; only then may it send {@code add_scribe}.
	 */
	private static WireClient connectAfterPull(CuttingProxy proxy, String uid, List<ObjectNode> offline) {
		WireClient client = SampleUsers.signedIn("alice", proxy.server()).answerPullWith(offline).connect(uid);
		client.awaitPull();
		return client;
	}

	private static boolean isAnswerTo(String frame, long requestId) {
		return isReplyTo(MessageCodec.readTree(frame), requestId);
	}

	/**
	 * What the watcher received up to a change made after everything else: pushes arrive
	 * in log order, so once it has that change it has every one before it.
	 */
	private static List<JsonNode> watcherAfterBarrier(WireClient watcher, Rest rest) {
		String barrier = "barrier " + UUID.randomUUID();
		rest.post("/api/todos", "{\"title\":\"" + barrier + "\"}");
		watcher.awaitScribes((scribe) -> scribe.toString().contains(barrier), 1);
		return watcher.scribes();
	}

	private List<JsonNode> fullSync() {
		try (WireClient fresh = SampleUsers.alice(this.port).connect("auditor-" + UUID.randomUUID())) {
			return fresh.syncToEnd(null);
		}
	}

	private static List<JsonNode> scribesOf(List<JsonNode> scribes, String recordId) {
		return scribes.stream().filter((scribe) -> Scribes.recordId(scribe).equals(recordId)).toList();
	}

	private static List<String> describe(List<JsonNode> scribes) {
		return scribes.stream().map((scribe) -> {
			JsonNode data = scribe.path("data");
			JsonNode attributes = data.isArray() ? data.path(1) : data;
			return scribe.path("type").asString() + " " + attributes.path("title").asString("");
		}).toList();
	}

	private static List<JsonNode> listOf(JsonNode records, String recordId) {
		List<JsonNode> matching = new ArrayList<>();
		records.forEach((record) -> {
			if (record.path("id").asString().equals(recordId)) {
				matching.add(record);
			}
		});
		return matching;
	}

}

package io.syncro.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.reliability.Rest;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.sample.SampleRecords.todo;
import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.update;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Protocol v2 (docs/PROTOCOL.md section 8) end to end against the sample app: the
 * handshake's {@code v}, {@code hello}, the echo of a client's own writes, and the answer
 * that says where a write landed, sent after every scribe up to there, also while REST
 * writes race the client's writes on the same record.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:sample-v2;DB_CLOSE_DELAY=-1")
class SampleAppProtocolV2Tests {

	private static final AtomicInteger uids = new AtomicInteger();

	@LocalServerPort
	private int port;

	private static String uid(String name) {
		return name + "-v2-" + uids.incrementAndGet();
	}

	@Test
	void aHandshakeAskingForAVersionThatIsNotAPositiveIntegerIsRefused400() {
		URI endpoint = URI.create("ws://localhost:" + this.port + "/syncro?client=" + uid("a") + "&v=two");
		String credentials = Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));
		CompletableFuture<WebSocket> handshake = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.header("Authorization", "Basic " + credentials)
			.buildAsync(endpoint, new WebSocket.Listener() {
			});
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> handshake.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(WebSocketHandshakeException.class,
					(refused) -> assertThat(refused.getResponse().statusCode()).isEqualTo(400));
	}

	@Test
	void aV2ClientIsGreetedAndGetsItsOwnWriteBackBeforeTheAnswerThatSaysWhereItLanded() {
		List<String> order = new CopyOnWriteArrayList<>();
		try (WireClient a = SampleUsers.alice(this.port).version(WireVersion.V2).onText(order::add).live(uid("a"))) {
			assertThat(MessageCodec.readTree(order.get(0)).path("type").asString()).isEqualTo("hello");
			String id = "todo-" + uids.incrementAndGet();
			JsonNode answer = a.addScribe(create(1, "Todo", todo(id, "Buy milk")));
			long at = answer.path("at").asLong();
			assertThat(at).isPositive();
			assertThat(a.scribes()).extracting((scribe) -> scribe.path("id").asLong()).contains(at);
			assertThat(a.lastScribeId()).isEqualTo(at);
			assertThat(a.addScribe(update(2, "Todo", id, json.objectNode().put("title", "Buy milk"))).get("at").isNull())
				.as("an update that changes nothing lands nowhere")
				.isTrue();
		}
	}

	@Test
	void everyAnswerComesAfterTheScribesUpToWhereItLandedWhileRestWritesRace() throws Exception {
		List<String> order = new CopyOnWriteArrayList<>();
		Rest rest = new Rest(this.port, "alice");
		String id = rest.post("/api/todos", "{\"title\":\"shared\"}").path("id").asString();
		try (WireClient a = SampleUsers.alice(this.port).version(WireVersion.V2).onText(order::add).live(uid("a"))) {
			Thread writer = new Thread(() -> {
				for (int i = 0; i < 50; i++) {
					rest.patch("/api/todos/" + id, "{\"title\":\"rest " + i + "\"}");
				}
			});
			writer.start();
			List<Long> landings = new ArrayList<>();
			for (int i = 1; i <= 50; i++) {
				landings.add(a.addScribe(update(i, "Todo", id, json.objectNode().put("title", "client " + i)))
					.path("at")
					.asLong());
			}
			writer.join();
			long head = a.lastScribeId();
			a.syncToEnd(a.position());
			assertThat(a.position()).isEqualTo(head);
			// in the order the messages came: an answer's landing was reached by what came before it
			long seen = 0;
			for (String text : order) {
				JsonNode message = MessageCodec.readTree(text);
				if (message.path("type").asString().equals("add_scribes")) {
					for (JsonNode scribe : message.path("scribes")) {
						seen = Math.max(seen, scribe.path("id").asLong());
					}
				}
				else if (message.has("at") && message.get("at").isIntegralNumber()) {
					assertThat(seen).as("scribes seen before the answer landing at " + message.get("at")).isGreaterThanOrEqualTo(
							message.get("at").asLong());
				}
			}
			assertThat(landings).isSorted().doesNotHaveDuplicates();
		}
	}

}

package io.syncro.session;

import java.util.List;

import io.syncro.protocol.ProtocolVersion;
import io.syncro.protocol.RecordDigest;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A v2 client's {@code digest} and {@code rebuild} (docs/PROTOCOL.md section 8.9): the
 * digest comes after every scribe up to its position, of the records the client may see,
 * and neither request is known to a v1 connection.
 */
class SessionDigestTests {

	private ServerSide server;

	private CapturingConnection alice;

	private Session session;

	@BeforeEach
	void openALiveV2Session() {
		this.server = new ServerSide(EngineSettings.server(), Policies.open());
		this.alice = new CapturingConnection();
		this.session = this.server.engine.open("alice", this.alice, ProtocolVersion.V2, new SessionListener() {
		});
		this.alice.next();
		this.alice.next();
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[]}");
		this.session.receiveMessage("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		this.alice.next();
	}

	@AfterEach
	void closeEngine() {
		this.server.close();
	}

	@Test
	void theDigestFollowsTheScribesUpToItsPositionAndCountsOnlyTheRecordsTheClientMaySee() {
		this.server.log.append(List.of(todo("t1", Recipients.all()), todo("t2", Recipients.only("bob")),
				todo("t3", Recipients.only("alice"))));
		this.session.receiveMessage("{\"type\":\"digest\",\"id\":7}");
		JsonNode push = this.alice.next();
		assertThat(push.path("type").asString()).isEqualTo("add_scribes");
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + push.path("id").asLong() + ",\"result\":true}");
		JsonNode answer = this.alice.next();
		assertThat(answer.path("id").asLong()).isEqualTo(7);
		JsonNode result = answer.path("result");
		assertThat(result.path("at").asLong()).isEqualTo(3);
		RecordDigest expected = RecordDigest.of(List.of(Json.todo("t1", "server's"), Json.todo("t3", "server's")));
		assertThat(RecordDigest.fromJson(result.path("klasses").path(ServerSide.KLASS))).isEqualTo(expected);
		assertThat(result.path("klasses").path(ServerSide.KLASS).path("count").asLong()).isEqualTo(2);
		assertThat(result.path("unverified")).isEmpty();
	}

	@Test
	void aServerWithoutScopesCannotSendAKlassAgain() {
		this.session.receiveMessage("{\"type\":\"rebuild\",\"id\":7,\"klass\":\"Todo\"}");
		JsonNode error = this.alice.next();
		assertThat(error.path("type").asString()).isEqualTo("error");
		assertThat(error.path("code").asInt()).isEqualTo(501);
	}

	@Test
	void aV1ConnectionKnowsNeitherRequest() {
		CapturingConnection bob = new CapturingConnection();
		Session v1 = this.server.engine.open("bob", bob);
		bob.next();
		v1.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[]}");
		v1.receiveMessage("{\"type\":\"digest\",\"id\":3}");
		assertThat(bob.next().path("code").asInt()).isEqualTo(501);
		v1.receiveMessage("{\"type\":\"rebuild\",\"id\":4}");
		assertThat(bob.next().path("code").asInt()).isEqualTo(501);
	}

	private static ScribeEntry todo(String id, Recipients recipients) {
		return new ScribeEntry(Scribe.create(ServerSide.KLASS, Json.todo(id, "server's")), recipients, null, null,
				recipients);
	}

}

package io.syncro.testing;

import java.util.List;

import io.syncro.protocol.MessageCodec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the test client does differently per protocol version, told without a server:
 * the handshake, the negotiation, pushes and their answers, the answer to the pull.
 */
class WireVersionTests {

	private final WireClient.Builder server = WireClient.to(8080);

	@Test
	void aVersion1HandshakeAsksForNothingAndVersion2AsksWithV() {
		assertThat(this.server.endpoint("laptop 1")).hasToString("ws://localhost:8080/syncro?client=laptop+1");
		assertThat(this.server.version(WireVersion.V2).endpoint("laptop"))
			.hasToString("ws://localhost:8080/syncro?client=laptop&v=2");
	}

	@Test
	void theServersFirstMessageSettlesTheVersion() {
		JsonNode hello = message("{\"type\":\"hello\",\"version\":2,\"later\":true}");
		JsonNode pull = message("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		assertThat(WireVersion.spoken(WireVersion.V2, hello)).isEqualTo(WireVersion.V2);
		JsonNode newer = message("{\"type\":\"hello\",\"version\":3}");
		assertThat(WireVersion.spoken(WireVersion.V2, newer)).as("the version asked for").isEqualTo(WireVersion.V2);
		assertThat(WireVersion.spoken(WireVersion.V2, pull)).as("a v1 server").isEqualTo(WireVersion.V1);
		assertThat(WireVersion.spoken(WireVersion.V1, hello)).isEqualTo(WireVersion.V1);
		assertThat(WireVersion.spoken(WireVersion.V1, pull)).isEqualTo(WireVersion.V1);
	}

	@Test
	void version1PushesOneScribeByAddScribeAndVersion2SeveralByAddScribesEachAnsweredOnce() {
		JsonNode single = message("{\"type\":\"add_scribe\",\"id\":4,\"scribe\":{\"id\":10}}");
		JsonNode batch = message("{\"type\":\"add_scribes\",\"id\":7,\"scribes\":[{\"id\":11},{\"id\":12}]}");
		assertThat(WireVersion.V1.isPush(single)).isTrue();
		assertThat(WireVersion.V1.isPush(batch)).isFalse();
		assertThat(WireVersion.V2.isPush(single)).isFalse();
		assertThat(WireVersion.V2.isPush(batch)).isTrue();
		assertThat(Scribes.ids(WireVersion.V1.pushedScribes(single))).containsExactly(10L);
		assertThat(Scribes.ids(WireVersion.V2.pushedScribes(batch))).containsExactly(11L, 12L);
		assertThat(WireVersion.V1.pushAnswer(single)).hasToString("{\"type\":\"response\",\"id\":4,\"result\":true}");
		assertThat(WireVersion.V2.pushAnswer(batch)).hasToString("{\"type\":\"response\",\"id\":7,\"result\":true}");
	}

	@Test
	void version1AnswersThePullWithItsScribesAboveFromAndVersion2WithNone() {
		List<ObjectNode> own = List.of(Scribes.destroy(1, "Todo", "a"), Scribes.destroy(2, "Todo", "b"),
				Scribes.destroy(3, "Todo", "c"));
		JsonNode fromMark = message("{\"type\":\"sync\",\"id\":1,\"from\":1}");
		JsonNode fromNull = message("{\"type\":\"sync\",\"id\":1,\"from\":null}");
		List<JsonNode> aboveMark = WireVersion.V1.pullAnswer(fromMark, own).valueStream().toList();
		assertThat(Scribes.ids(aboveMark)).containsExactly(2L, 3L);
		assertThat(WireVersion.V1.pullAnswer(fromNull, own)).hasSize(3);
		assertThat(WireVersion.V2.pullAnswer(fromNull, own)).isEqualTo(json.arrayNode());
	}

	private static JsonNode message(String text) {
		return MessageCodec.readTree(text);
	}

}

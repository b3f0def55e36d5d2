package io.syncro.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.play.InMemoryRecords;
import io.syncro.play.SyncClasses;
import io.syncro.play.SyncroPolicy;
import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import io.syncro.rpc.RpcRegistry;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.CachedTailScribeLog;
import io.syncro.store.ClientStore;
import io.syncro.store.ForwardingScribeLog;
import io.syncro.store.InMemoryClientStore;
import io.syncro.store.InMemoryScribeLog;
import io.syncro.store.Refusal;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a server {@link Session} answers every message type and every error code of
 * PROTOCOL.md section 3 with the exact reply the protocol asks for. The test plays the
 * client by hand over a {@link CapturingConnection}.
 */
class SessionProtocolTests {

	private static final int BATCH_SIZE = 3;

	private static final int MAX_MESSAGE_BYTES = 4096;

	private final AtomicLong requestIds = new AtomicLong(100);

	private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

	private ServerSide server;

	private CapturingConnection peer;

	private Session session;

	@BeforeEach
	void openSessionAndAnswerThePull() {
		this.server = new ServerSide(
				EngineSettings.server().withBatchSize(BATCH_SIZE).withMaxMessageBytes(MAX_MESSAGE_BYTES),
				Policies.open());
		this.server.classes.register("Locked", new InMemoryRecords("Locked", new SyncroPolicy<>() {
		}, this.server.log::append));
		this.server.rpc.expose("Math", "add",
				(client, args) -> IntNode.valueOf(args.get(0).intValue() + args.get(1).intValue()));
		this.server.rpc.expose("Vault", "open", (client, args) -> {
			throw new SyncroException(ErrorCodes.UNAUTHENTICATED, "Sign in to open the vault.");
		});
		// records titled after a failure make the player fail that way, `times` times
		this.server.beforePlay = (scribe, client) -> failIfAsked(scribe);
		this.peer = new CapturingConnection();
		this.session = this.server.engine.open("alice", this.peer);
		assertThat(this.peer.next()).isEqualTo(Json.parse("{\"type\":\"sync\",\"id\":1,\"from\":null}"));
		this.session.receiveMessage("{\"type\":\"response\",\"id\":1,\"result\":[]}");
	}

	@AfterEach
	void closeEngine() {
		this.server.close();
	}

	// Opening

	@Test
	void openingPullsFromTheMarkThePeerAlreadyHas() {
		this.server.clients.advanceMark("bob", 0, 7, null);
		CapturingConnection bob = new CapturingConnection();
		this.server.engine.open("bob", bob);
		assertThat(bob.next()).isEqualTo(Json.parse("{\"type\":\"sync\",\"id\":1,\"from\":7}"));
	}

	@Test
	void checkPeerRefusesAMissingOrBadUidAsMalformed() {
		String tooLong = "a".repeat(65);
		for (String bad : new String[] { null, "", tooLong, "has space", "slash/ed", "ümlaut", "semi;colon", "a\n" }) {
			assertThatExceptionOfType(SyncroException.class).as("uid %s", bad)
				.isThrownBy(() -> this.server.engine.checkPeer(bad))
				.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCodes.BAD_REQUEST));
		}
	}

	@Test
	void checkPeerRefusesTheEnginesOwnUid() {
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> this.server.engine.checkPeer("server"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCodes.FORBIDDEN));
		assertThatExceptionOfType(SyncroException.class)
			.isThrownBy(() -> this.server.engine.open("server", new CapturingConnection()))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCodes.FORBIDDEN));
	}

	@Test
	void checkPeerAcceptsEveryValidUid() {
		for (String good : new String[] { "a", "a".repeat(64), "Az09_.:-", "client-7f0c:phone.1" }) {
			assertThatNoException().as("uid %s", good).isThrownBy(() -> this.server.engine.checkPeer(good));
		}
	}

	@Test
	void openingRefusesABadUid() {
		assertThatExceptionOfType(SyncroException.class)
			.isThrownBy(() -> this.server.engine.open("", new CapturingConnection()))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCodes.BAD_REQUEST));
	}

	// sync

	@Test
	void syncFromNullReturnsEveryVisibleScribeOldestFirst() {
		List<Scribe> appended = appendMixedAudiences();
		JsonNode reply = ask("{\"type\":\"sync\",\"id\":5,\"from\":null}");
		assertThat(reply).isEqualTo(response(5, appended.get(0), appended.get(1)));
	}

	@Test
	void syncWithoutFromIsAnsweredAsFromNull() {
		List<Scribe> appended = appendMixedAudiences();
		JsonNode reply = ask("{\"type\":\"sync\",\"id\":6}");
		assertThat(reply).isEqualTo(response(6, appended.get(0), appended.get(1)));
	}

	@Test
	void syncFromAnIdReturnsOnlyTheLaterScribesMeantForTheCaller() {
		List<Scribe> appended = appendMixedAudiences();
		JsonNode reply = ask("{\"type\":\"sync\",\"id\":7,\"from\":" + appended.get(0).id() + "}");
		assertThat(reply).isEqualTo(response(7, appended.get(1)));
		JsonNode atTheEnd = ask("{\"type\":\"sync\",\"id\":8,\"from\":" + appended.get(1).id() + "}");
		assertThat(atTheEnd).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":8,\"result\":[]}"));
	}

	@Test
	void syncAnswersInBatchesWithMoreExactlyWhileScribesRemain() {
		List<Scribe> scribes = appendForEveryone(7);
		JsonNode first = ask("{\"type\":\"sync\",\"id\":10,\"from\":null}");
		assertThat(first).isEqualTo(withMore(response(10, scribes.subList(0, 3))));
		JsonNode second = ask("{\"type\":\"sync\",\"id\":11,\"from\":3}");
		assertThat(second).isEqualTo(withMore(response(11, scribes.subList(3, 6))));
		JsonNode last = ask("{\"type\":\"sync\",\"id\":12,\"from\":6}");
		assertThat(last).isEqualTo(response(12, scribes.subList(6, 7)));
	}

	@Test
	void syncNeverAnswersAnEmptyBatchWithMore() {
		List<Scribe> scribes = appendForEveryone(6);
		// scribes meant for someone else after the last batch are not "more"
		this.server.log.append(List.of(entry("x1", Recipients.only("bob"), null),
				entry("x2", Recipients.all(), "alice")));
		assertThat(ask("{\"type\":\"sync\",\"id\":13,\"from\":null}"))
			.isEqualTo(withMore(response(13, scribes.subList(0, 3))));
		JsonNode full = ask("{\"type\":\"sync\",\"id\":14,\"from\":3}");
		assertThat(full).isEqualTo(response(14, scribes.subList(3, 6)));
		assertThat(full.has("more")).isFalse();
		JsonNode empty = ask("{\"type\":\"sync\",\"id\":15,\"from\":6}");
		assertThat(empty).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":15,\"result\":[]}"));
	}

	@Test
	void syncAnswersSeeAppendsACachedTailHasNotBeenToldOfYet() throws Exception {
		InMemoryScribeLog store = new InMemoryScribeLog();
		AtomicBoolean announcing = new AtomicBoolean(true);
		// another node's appends: in the store, announced a little later
		ScribeLog laterAnnounced = new ForwardingScribeLog(store) {

			@Override
			public AutoCloseable addListener(AppendListener listener) {
				return super.addListener((lastId) -> {
					if (announcing.get()) {
						listener.appended(lastId);
					}
				});
			}

		};
		try (CachedTailScribeLog log = new CachedTailScribeLog(laterAnnounced, 100);
				SyncroEngine engine = new SyncroEngine(EngineSettings.server(), log, new InMemoryClientStore(),
						new SyncClasses(), new RpcRegistry())) {
			store.append(List.of(entry("a", Recipients.all(), null), entry("b", Recipients.all(), null)));
			announcing.set(false);
			store.append(List.of(entry("c", Recipients.all(), null)));
			CapturingConnection bob = new CapturingConnection();
			Session session = engine.open("bob", bob);
			session.receiveMessage("{\"type\":\"response\",\"id\":" + bob.next().path("id").asLong() + ",\"result\":[]}");
			session.receiveMessage("{\"type\":\"sync\",\"id\":5,\"from\":null}");
			JsonNode reply = bob.next();
			assertThat(reply.path("result")).extracting((scribe) -> scribe.path("id").asLong()).containsExactly(1L, 2L, 3L);
			assertThat(reply.has("more")).isFalse();
		}
	}

	@Test
	void aPageReadAheadIsAnsweredAndWhatWasAppendedAfterItsReadIsPushed() throws Exception {
		InMemoryScribeLog store = new InMemoryScribeLog();
		BlockingQueue<Long> reads = new LinkedBlockingQueue<>();
		ScribeLog counted = new ForwardingScribeLog(store) {

			@Override
			public List<Scribe> readComplete(Reader reader, long after, int limit) {
				List<Scribe> read = super.readComplete(reader, after, limit);
				reads.add(after);
				return read;
			}

		};
		try (SyncroEngine engine = new SyncroEngine(EngineSettings.server().withBatchSize(BATCH_SIZE), counted,
				new InMemoryClientStore(), new SyncClasses(), new RpcRegistry())) {
			for (int i = 1; i <= 4; i++) {
				store.append(List.of(entry("r" + i, Recipients.all(), null)));
			}
			CapturingConnection bob = new CapturingConnection();
			Session session = engine.open("bob", bob);
			session.receiveMessage("{\"type\":\"response\",\"id\":" + bob.next().path("id").asLong() + ",\"result\":[]}");
			session.receiveMessage("{\"type\":\"sync\",\"id\":5,\"from\":null}");
			assertThat(ids(bob.next())).containsExactly(1L, 2L, 3L);
			assertThat(reads.poll(5, TimeUnit.SECONDS)).isZero();
			// the next page, read before the client asks for it; then two more appends
			assertThat(reads.poll(5, TimeUnit.SECONDS)).isEqualTo(3);
			store.append(List.of(entry("r5", Recipients.all(), null), entry("r6", Recipients.all(), null)));
			session.receiveMessage("{\"type\":\"sync\",\"id\":6,\"from\":3}");
			JsonNode answer = bob.next();
			assertThat(ids(answer)).containsExactly(4L);
			assertThat(answer.has("more")).isFalse();
			// live from 4: the appends the page was read before come as pushes
			List<Long> pushed = new ArrayList<>();
			while (pushed.size() < 2) {
				JsonNode push = bob.next();
				assertThat(push.path("type").asString()).isEqualTo("add_scribe");
				pushed.add(push.path("scribe").path("id").asLong());
				session.receiveMessage("{\"type\":\"response\",\"id\":" + push.path("id").asLong() + ",\"result\":true}");
			}
			assertThat(pushed).containsExactly(5L, 6L);
			assertThat(reads).doesNotContain(3L);
		}
	}

	private static List<Long> ids(JsonNode answer) {
		List<Long> ids = new ArrayList<>();
		answer.path("result").forEach((scribe) -> ids.add(scribe.path("id").asLong()));
		return ids;
	}

	@Test
	void syncAnswerIsCappedBySizeAndTheRestFollows() {
		String longTitle = "t".repeat(700);
		List<Scribe> scribes = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			scribes.add(this.server.log
				.append(List.of(new ScribeEntry(Scribe.create("Todo", Json.todo("r" + i, longTitle)), Recipients.all(),
						null)))
				.get(0)
				.scribe());
		}
		List<JsonNode> received = new ArrayList<>();
		long from = 0;
		boolean more = true;
		while (more) {
			this.session.receiveMessage("{\"type\":\"sync\",\"id\":20,\"from\":" + from + "}");
			String text = this.peer.nextText();
			JsonNode reply = Json.parse(text);
			assertThat(Channel.utf8Length(text)).isLessThanOrEqualTo(MAX_MESSAGE_BYTES);
			assertThat(reply.get("result")).isNotEmpty();
			more = reply.path("more").asBoolean(false);
			if (more) {
				assertThat(reply.get("result").size()).isLessThan(BATCH_SIZE);
			}
			reply.get("result").forEach(received::add);
			from = received.get(received.size() - 1).get("id").longValue();
		}
		assertThat(received).containsExactlyElementsOf(scribes.stream().map(Json::wire).toList());
	}

	@Test
	void syncAnswerFitsWhatTheConnectionCanCarry() {
		try (ServerSide big = new ServerSide(EngineSettings.server(), Policies.open())) {
			for (int i = 0; i < 40; i++) {
				big.todos.save(Json.todo("r" + i, "t".repeat(300)));
			}
			CapturingConnection narrow = new CapturingConnection(4096);
			Session narrowSession = big.engine.open("alice", narrow);
			narrow.next();
			narrowSession.receiveMessage("{\"type\":\"sync\",\"id\":2,\"from\":null}");
			String text = narrow.nextText();
			JsonNode reply = Json.parse(text);
			assertThat(Channel.utf8Length(text)).isLessThanOrEqualTo(4096);
			assertThat(reply.get("result").size()).isBetween(1, 39);
			assertThat(reply.get("more").asBoolean()).isTrue();
		}
	}

	@Test
	void syncFromANegativeIdIsMalformed() {
		assertError(ask("{\"type\":\"sync\",\"id\":21,\"from\":-1}"), 21L, 400, null, null);
		assertStillServes();
	}

	@Test
	void syncWithAMistypedFromIsMalformed() {
		assertError(ask("{\"type\":\"sync\",\"id\":22,\"from\":\"5\"}"), 22L, 400, null, null);
		assertError(ask("{\"type\":\"sync\",\"id\":23,\"from\":1.5}"), 23L, 400, null, null);
		assertStillServes();
	}

	// add_scribe

	@Test
	void addScribeOfTheNextIdIsPlayedAndAnsweredTrue() {
		JsonNode reply = addScribe(30, Json.createTodo(1, "r1", "milk"));
		assertThat(reply).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":30,\"result\":true}"));
		assertThat(this.server.clients.mark("alice")).isEqualTo(1);
		assertThat(this.server.todos.get("r1")).contains(Json.todo("r1", "milk"));
		assertThat(this.server.plays("alice", 1)).isOne();
		// recorded for the others, not echoed to the writer
		assertThat(this.server.log.read("bob", 0, 10)).extracting(Scribe::recordId).containsExactly("r1");
		assertThat(this.server.log.read("alice", 0, 10)).isEmpty();
	}

	@Test
	void resentPlayedScribeIsAnsweredTrueAndNotPlayedTwice() {
		addScribe(31, Json.createTodo(1, "r1", "milk"));
		JsonNode again = addScribe(32, Json.createTodo(1, "r1", "milk"));
		assertThat(again).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":32,\"result\":true}"));
		assertThat(this.server.plays("alice", 1)).isOne();
		assertThat(this.server.log.size()).isOne();
	}

	@Test
	void addScribeWithAGapIsAConflictNamingTheExpectedIdAndPlaysNothing() {
		addScribe(33, Json.createTodo(1, "r1", "one"));
		JsonNode reply = addScribe(34, Json.createTodo(4, "r4", "four"));
		assertError(reply, 34L, 409, 4L, 2L);
		assertThat(this.server.clients.mark("alice")).isEqualTo(1);
		assertThat(this.server.todos.get("r4")).isEmpty();
		assertStillServes();
		for (long id = 2; id <= 4; id++) {
			assertThat(addScribe(35 + id, Json.createTodo(id, "r" + id, "n" + id)).get("result").asBoolean()).isTrue();
		}
		assertThat(this.server.clients.mark("alice")).isEqualTo(4);
		assertThat(this.server.todos.all()).hasSize(4);
	}

	@Test
	void scribeWithoutAValidIdIsMalformedWithoutAScribeFieldAndSettlesNothing() {
		String[] ids = { "", "\"id\":\"1\",", "\"id\":0,", "\"id\":-3,", "\"id\":1.5,", "\"id\":null,",
				"\"id\":99999999999999999999," };
		long requestId = 40;
		for (String id : ids) {
			String scribe = "{" + id + "\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"id\":\"r1\"}}";
			assertError(addScribe(requestId, scribe), requestId, 400, null, null);
			requestId++;
		}
		assertThat(this.server.clients.mark("alice")).isZero();
		assertThat(this.server.todos.all()).isEmpty();
		assertStillServes();
	}

	@Test
	void addScribeWithoutAScribeObjectIsMalformed() {
		assertError(ask("{\"type\":\"add_scribe\",\"id\":50}"), 50L, 400, null, null);
		assertError(ask("{\"type\":\"add_scribe\",\"id\":51,\"scribe\":[1]}"), 51L, 400, null, null);
		assertThat(this.server.clients.mark("alice")).isZero();
		assertStillServes();
	}

	@Test
	void scribeOfABadShapeIsMalformedNamesTheScribeAndIsSettled() {
		String[] shapes = { "{\"id\":1,\"klass\":\"Todo\",\"type\":\"explode\",\"data\":{\"id\":\"r1\"}}",
				"{\"id\":2,\"klass\":\"Todo\",\"type\":\"create\",\"data\":[\"r1\"]}",
				"{\"id\":3,\"klass\":\"Todo\",\"type\":\"update\",\"data\":{\"id\":\"r1\"}}",
				"{\"id\":4,\"klass\":7,\"type\":\"create\",\"data\":{\"id\":\"r1\"}}",
				"{\"id\":5,\"klass\":\"Todo\",\"type\":\"destroy\"}",
				"{\"id\":6,\"klass\":\"Todo\",\"type\":\"create\",\"data\":{\"title\":\"no id\"}}" };
		for (int i = 0; i < shapes.length; i++) {
			long scribeId = i + 1;
			assertError(addScribe(60 + i, shapes[i]), 60L + i, 400, scribeId, null);
			assertThat(this.server.clients.mark("alice")).isEqualTo(scribeId);
		}
		assertThat(this.server.todos.all()).isEmpty();
		assertThat(this.server.totalPlays()).isZero();
		assertStillServes();
	}

	@Test
	void scribeOfAnUnknownKlassIsForbidden() {
		String scribe = "{\"id\":1,\"klass\":\"Secret\",\"type\":\"create\",\"data\":{\"id\":\"s1\"}}";
		assertError(addScribe(70, scribe), 70L, 403, 1L, null);
		assertThat(this.server.clients.mark("alice")).isEqualTo(1);
		assertStillServes();
	}

	@Test
	void scribeOfAKlassWhosePolicyRefusesWritesIsForbidden() {
		String scribe = "{\"id\":1,\"klass\":\"Locked\",\"type\":\"create\",\"data\":{\"id\":\"l1\"}}";
		assertError(addScribe(71, scribe), 71L, 403, 1L, null);
		assertThat(this.server.log.size()).isZero();
		assertThat(this.server.clients.mark("alice")).isEqualTo(1);
		assertStillServes();
	}

	@Test
	void updateOfAMissingRecordIsNotFound() {
		String scribe = "{\"id\":1,\"klass\":\"Todo\",\"type\":\"update\",\"data\":[\"nope\",{\"title\":\"x\"}]}";
		assertError(addScribe(72, scribe), 72L, 404, 1L, null);
		assertThat(this.server.clients.mark("alice")).isEqualTo(1);
		assertThat(this.server.todos.all()).isEmpty();
		assertStillServes();
	}

	@Test
	void destroyOfAMissingRecordSucceeds() {
		String scribe = "{\"id\":1,\"klass\":\"Todo\",\"type\":\"destroy\",\"data\":[\"gone\"]}";
		assertThat(addScribe(73, scribe)).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":73,\"result\":true}"));
		assertThat(this.server.clients.mark("alice")).isEqualTo(1);
		assertThat(this.server.log.size()).isZero();
	}

	@Test
	void aDuplicateOlderThanTheRefusalsRememberedIsAnsweredWithAnUnknownOutcomeNeverTrue() {
		int refused = ClientStore.REFUSALS_KEPT + 100;
		for (int id = 1; id <= refused; id++) {
			this.server.clients.advanceMark("alice", id - 1, id, new Refusal(403, "No."));
		}
		String scribe = "{\"id\":1,\"klass\":\"Locked\",\"type\":\"create\",\"data\":{\"id\":\"l1\"}}";
		assertError(addScribe(77, scribe), 77L, 410, 1L, null);
		String recent = "{\"id\":" + refused + ",\"klass\":\"Locked\",\"type\":\"create\",\"data\":{\"id\":\"l1\"}}";
		assertError(addScribe(78, recent), 78L, 403, (long) refused, null);
		assertStillServes();
	}

	@Test
	void resentRefusedScribeGetsTheSameError() {
		String scribe = "{\"id\":1,\"klass\":\"Locked\",\"type\":\"create\",\"data\":{\"id\":\"l1\"}}";
		JsonNode first = addScribe(74, scribe);
		addScribe(75, Json.createTodo(2, "r2", "after"));
		JsonNode again = addScribe(76, scribe);
		assertError(again, 76L, 403, 1L, null);
		assertThat(again.get("message")).isEqualTo(first.get("message"));
		assertThat(this.server.clients.mark("alice")).isEqualTo(2);
		assertStillServes();
	}

	@Test
	void versionConflictThrownByAPlayerSettlesNothing() {
		failNextPlays("stale", 1);
		JsonNode reply = addScribe(77, Json.createTodo(1, "r1", "stale"));
		assertError(reply, 77L, 409, 1L, null);
		assertThat(this.server.clients.mark("alice")).isZero();
		assertThat(this.server.todos.all()).isEmpty();
		assertStillServes();
		assertThat(addScribe(78, Json.createTodo(1, "r1", "stale")).get("result").asBoolean()).isTrue();
		assertThat(this.server.plays("alice", 1)).isOne();
	}

	@Test
	void rateLimitedScribeSettlesNothingAndIsPlayedWhenResent() {
		failNextPlays("limited", 1);
		JsonNode reply = addScribe(79, Json.createTodo(1, "r1", "limited"));
		assertError(reply, 79L, 429, 1L, null);
		assertThat(this.server.clients.mark("alice")).isZero();
		assertThat(this.server.todos.all()).isEmpty();
		assertStillServes();
		JsonNode resent = addScribe(80, Json.createTodo(1, "r1", "limited"));
		assertThat(resent).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":80,\"result\":true}"));
		assertThat(this.server.plays("alice", 1)).isOne();
		assertThat(this.server.clients.mark("alice")).isOne();
	}

	@Test
	void failingPlayerIsAnInternalErrorWithoutDetailsAndSettlesNothing() {
		failNextPlays("explodes", 1);
		JsonNode reply = addScribe(81, Json.createTodo(1, "r1", "explodes"));
		assertError(reply, 81L, 500, 1L, null);
		assertThat(reply.get("message").asString()).doesNotContain("hunter2", "IllegalState", "Exception");
		assertThat(this.server.clients.mark("alice")).isZero();
		assertThat(this.server.todos.all()).isEmpty();
		assertStillServes();
		assertThat(addScribe(82, Json.createTodo(1, "r1", "explodes")).get("result").asBoolean()).isTrue();
	}

	@Test
	void aScribeWhoseJsonThePlayerCannotReadIsRefusedWith400ForGood() {
		// a policy reading an attribute of the wrong JSON type gets a JacksonException
		failNextPlays("misread", 1);
		JsonNode reply = addScribe(83, Json.createTodo(1, "r1", "misread"));
		assertError(reply, 83L, 400, 1L, null);
		assertThat(reply.get("message").asString()).doesNotContain("Exception", "jackson", "ArrayNode");
		assertThat(this.server.clients.mark("alice")).isOne();
		assertThat(this.server.todos.all()).isEmpty();
		assertError(addScribe(84, Json.createTodo(1, "r1", "misread")), 84L, 400, 1L, null);
		assertStillServes();
	}

	// rpc

	@Test
	void rpcCallsAnExposedMethodAndAnswersItsResult() {
		JsonNode reply = ask("{\"type\":\"rpc\",\"id\":90,\"klass\":\"Math\",\"method\":\"add\",\"args\":[2,3]}");
		assertThat(reply).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":90,\"result\":5}"));
	}

	@Test
	void lastScribeIdIsTheHighestIdASyncByTheCallerCouldReturn() {
		List<Scribe> visible = appendMixedAudiences();
		JsonNode reply = ask("{\"type\":\"rpc\",\"id\":91,\"klass\":\"Syncro\",\"method\":\"last_scribe_id\",\"args\":[]}");
		long last = visible.get(visible.size() - 1).id();
		assertThat(reply).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":91,\"result\":" + last + "}"));
		JsonNode sync = ask("{\"type\":\"sync\",\"id\":92,\"from\":null}");
		JsonNode result = sync.get("result");
		assertThat(result.get(result.size() - 1).get("id").longValue()).isEqualTo(last);
	}

	@Test
	void lastScribeIdIsZeroWhenNothingIsMeantForTheCaller() {
		this.server.log.append(List.of(entry("b1", Recipients.only("bob"), null), entry("a1", Recipients.all(), "alice"),
				entry("c1", Recipients.allExcept(List.of("alice")), null)));
		JsonNode reply = ask("{\"type\":\"rpc\",\"id\":93,\"klass\":\"Syncro\",\"method\":\"last_scribe_id\",\"args\":[]}");
		assertThat(reply).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":93,\"result\":0}"));
	}

	@Test
	void rpcOfAnUnknownKlassIsNotFound() {
		assertError(ask("{\"type\":\"rpc\",\"id\":94,\"klass\":\"Nope\",\"method\":\"add\",\"args\":[]}"), 94L, 404, null,
				null);
		assertStillServes();
	}

	@Test
	void rpcOfAMethodThatIsNotExposedIsMethodNotAllowed() {
		assertError(ask("{\"type\":\"rpc\",\"id\":95,\"klass\":\"Math\",\"method\":\"exec\",\"args\":[]}"), 95L, 405, null,
				null);
		assertError(ask("{\"type\":\"rpc\",\"id\":96,\"klass\":\"Syncro\",\"method\":\"reset\",\"args\":[]}"), 96L, 405,
				null, null);
		assertStillServes();
	}

	@Test
	void rpcMethodThatRefusesAnUnauthenticatedCallerIsAnswered401() {
		JsonNode reply = ask("{\"type\":\"rpc\",\"id\":97,\"klass\":\"Vault\",\"method\":\"open\",\"args\":[]}");
		assertError(reply, 97L, 401, null, null);
		assertThat(reply.get("message").asString()).isEqualTo("Sign in to open the vault.");
		assertStillServes();
	}

	@Test
	void rpcWithMissingOrMistypedFieldsIsMalformed() {
		assertError(ask("{\"type\":\"rpc\",\"id\":98,\"klass\":\"Math\",\"method\":\"add\",\"args\":{}}"), 98L, 400, null,
				null);
		assertError(ask("{\"type\":\"rpc\",\"id\":99,\"klass\":\"Math\",\"args\":[]}"), 99L, 400, null, null);
		assertError(ask("{\"type\":\"rpc\",\"id\":100,\"klass\":1,\"method\":\"add\",\"args\":[]}"), 100L, 400, null,
				null);
		assertStillServes();
	}

	// noop

	@Test
	void noopIsAnsweredTrue() {
		assertThat(ask("{\"type\":\"noop\",\"id\":110}"))
			.isEqualTo(Json.parse("{\"type\":\"response\",\"id\":110,\"result\":true}"));
	}

	@Test
	void unknownFieldsAreIgnored() {
		assertThat(ask("{\"type\":\"noop\",\"id\":111,\"colour\":\"blue\"}"))
			.isEqualTo(Json.parse("{\"type\":\"response\",\"id\":111,\"result\":true}"));
	}

	// replies to this side's own requests

	@Test
	void responseCompletesTheRequestItAnswers() {
		CompletableFuture<JsonNode> call = this.session.rpc("Clock", "now",
				JsonNodeFactory.instance.arrayNode().add("utc"));
		JsonNode request = this.peer.next();
		long id = request.get("id").longValue();
		assertThat(request).isEqualTo(Json.parse(
				"{\"type\":\"rpc\",\"id\":" + id + ",\"klass\":\"Clock\",\"method\":\"now\",\"args\":[\"utc\"]}"));
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + id + ",\"result\":{\"t\":12}}");
		assertThat(call).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Json.parse("{\"t\":12}"));
	}

	@Test
	void errorFailsTheRequestItAnswers() {
		CompletableFuture<JsonNode> ping = this.session.noop();
		JsonNode request = this.peer.next();
		long id = request.get("id").longValue();
		assertThat(request).isEqualTo(Json.parse("{\"type\":\"noop\",\"id\":" + id + "}"));
		this.session.receiveMessage("{\"type\":\"error\",\"id\":" + id + ",\"code\":429,\"message\":\"Slow down.\"}");
		assertThat(ping).failsWithin(Duration.ofSeconds(10))
			.withThrowableThat()
			.havingRootCause()
			.isInstanceOfSatisfying(SyncroException.class, (ex) -> {
				assertThat(ex.getCode()).isEqualTo(429);
				assertThat(ex.getMessage()).isEqualTo("Slow down.");
			});
	}

	@Test
	void repliesAreMatchedToTheirRequestsInAnyOrder() {
		CompletableFuture<JsonNode> first = this.session.noop();
		CompletableFuture<JsonNode> second = this.session.noop();
		long firstId = this.peer.next().get("id").longValue();
		long secondId = this.peer.next().get("id").longValue();
		assertThat(firstId).isNotEqualTo(secondId);
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + secondId + ",\"result\":\"two\"}");
		this.session.receiveMessage("{\"type\":\"response\",\"id\":" + firstId + ",\"result\":\"one\"}");
		assertThat(first).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Json.parse("\"one\""));
		assertThat(second).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Json.parse("\"two\""));
	}

	@Test
	void requestWithoutAnAnswerFailsAfterTheRequestTimeout() {
		try (ServerSide quick = new ServerSide(EngineSettings.server().withRequestTimeout(Duration.ofMillis(200)),
				Policies.open())) {
			CapturingConnection silent = new CapturingConnection();
			Session quickSession = quick.engine.open("alice", silent);
			// the server's pull answered: one left unanswered would close the connection
			quickSession.receiveMessage("{\"type\":\"response\",\"id\":" + silent.next().path("id").asLong()
					+ ",\"result\":[]}");
			CompletableFuture<JsonNode> ping = quickSession.noop();
			await().atMost(Duration.ofSeconds(10)).until(ping::isDone);
			assertThat(ping).isCompletedExceptionally();
			assertThat(ping).failsWithin(Duration.ZERO).withThrowableThat().havingRootCause()
				.isInstanceOf(TimeoutException.class);
			assertThat(quickSession.isClosed()).isFalse();
		}
	}

	@Test
	void responseToNoOutstandingRequestIsIgnored() {
		this.session.receiveMessage("{\"type\":\"response\",\"id\":4242,\"result\":true}");
		this.session.receiveMessage("{\"type\":\"error\",\"id\":4243,\"code\":500,\"message\":\"Oops.\"}");
		assertStillServes();
	}

	@Test
	void malformedRepliesAreNeverAnswered() {
		this.session.receiveMessage("{\"type\":\"response\"}");
		this.session.receiveMessage("{\"type\":\"response\",\"id\":\"x\",\"result\":true}");
		this.session.receiveMessage("{\"type\":\"error\",\"id\":3,\"code\":\"bad\"}");
		this.session.receiveMessage("{\"type\":\"error\",\"message\":\"no code\"}");
		this.session.receiveMessage("{\"type\":\"error\",\"id\":1.5,\"code\":400,\"message\":\"x\"}");
		assertStillServes();
	}

	// malformed and unknown messages

	@Test
	void textThatIsNotJsonIsMalformed() {
		assertError(ask("{\"type\":\"noop\",\"id\":"), null, 400, null, null);
		assertError(ask("not json at all"), null, 400, null, null);
		assertStillServes();
	}

	@Test
	void jsonThatIsNotAnObjectIsMalformed() {
		for (String notAnObject : new String[] { "[1,2]", "\"noop\"", "42", "null", "true" }) {
			assertError(ask(notAnObject), null, 400, null, null);
		}
		assertStillServes();
	}

	@Test
	void messageWithoutAStringTypeIsMalformedAndNamesTheRequestWhenItCan() {
		assertError(ask("{\"id\":120}"), 120L, 400, null, null);
		assertError(ask("{\"type\":5,\"id\":121}"), 121L, 400, null, null);
		assertError(ask("{\"type\":null}"), null, 400, null, null);
		assertStillServes();
	}

	@Test
	void requestWithoutAnIntegerIdIsMalformed() {
		assertError(ask("{\"type\":\"noop\"}"), null, 400, null, null);
		assertError(ask("{\"type\":\"noop\",\"id\":\"122\"}"), null, 400, null, null);
		assertError(ask("{\"type\":\"sync\",\"id\":1.5,\"from\":null}"), null, 400, null, null);
		assertStillServes();
	}

	@Test
	void theSubscriptionsOfProtocolV2AreUnknownTypesToAV1ConnectionWhateverTheirFields() {
		assertError(ask("{\"type\":\"subscribe\",\"id\":131,\"scope\":\"s\",\"params\":{}}"), 131L, 501, null, null);
		assertError(ask("{\"type\":\"subscribe\",\"id\":132}"), 132L, 501, null, null);
		assertError(ask("{\"type\":\"unsubscribe\",\"id\":133,\"params\":5}"), 133L, 501, null, null);
		assertError(ask("{\"type\":\"records\",\"id\":134}"), 134L, 501, null, null);
		assertStillServes();
	}

	@Test
	void unknownTypeIsNotImplementedAndNamesTheRequest() {
		assertError(ask("{\"type\":\"teleport\",\"id\":130}"), 130L, 501, null, null);
		assertError(ask("{\"type\":\"teleport\"}"), null, 501, null, null);
		assertStillServes();
	}

	@Test
	void messageOverTheSizeLimitIsAnsweredThenTheConnectionIsClosed() {
		String padding = "p".repeat(MAX_MESSAGE_BYTES);
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":140,\"padding\":\"" + padding + "\"}");
		assertError(this.peer.next(), null, 413, null, null);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.peer.closeCode != null);
		assertThat(this.peer.closeCode).isEqualTo(1009);
		assertThat(this.session.isClosed()).isTrue();
		List<String> events = this.peer.events();
		assertThat(events.get(events.size() - 1)).isEqualTo("close 1009");
		assertThat(events.get(events.size() - 2)).startsWith("send ").contains("413");
		// a closed session handles nothing more
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":141}");
		assertThat(this.peer.hasNext()).isFalse();
		assertThat(this.server.engine.sessions()).doesNotContain(this.session);
	}

	@Test
	void multiByteCharactersCountTowardsTheSizeLimitInUtf8() {
		// 1,500 three-byte characters: under the limit in chars, over it in bytes
		String padding = "€".repeat(1500);
		this.session.receiveMessage("{\"type\":\"noop\",\"id\":142,\"padding\":\"" + padding + "\"}");
		assertError(this.peer.next(), null, 413, null, null);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.peer.closeCode != null);
		assertThat(this.peer.closeCode).isEqualTo(1009);
	}

	// helpers

	private JsonNode ask(String message) {
		this.session.receiveMessage(message);
		return this.peer.next();
	}

	private JsonNode addScribe(long requestId, String scribe) {
		return ask("{\"type\":\"add_scribe\",\"id\":" + requestId + ",\"scribe\":" + scribe + "}");
	}

	/**
	 * Sends a ping and checks that it is the very next thing answered: so the session
	 * still works, and nothing was sent in reply to the messages before it.
	 */
	private void assertStillServes() {
		long id = this.requestIds.incrementAndGet();
		JsonNode reply = ask("{\"type\":\"noop\",\"id\":" + id + "}");
		assertThat(reply).isEqualTo(Json.parse("{\"type\":\"response\",\"id\":" + id + ",\"result\":true}"));
		assertThat(this.peer.hasNext()).isFalse();
		assertThat(this.session.isClosed()).isFalse();
	}

	private static void assertError(JsonNode reply, @Nullable Long id, int code, @Nullable Long scribe,
			@Nullable Long expected) {
		ObjectNode wanted = JsonNodeFactory.instance.objectNode().put("type", "error");
		if (id != null) {
			wanted.put("id", id.intValue());
		}
		wanted.put("code", code);
		if (scribe != null) {
			wanted.put("scribe", scribe.intValue());
		}
		if (expected != null) {
			wanted.put("expected", expected.intValue());
		}
		ObjectNode actual = ((ObjectNode) reply).deepCopy();
		JsonNode message = actual.remove("message");
		assertThat(Json.parse(actual.toString())).isEqualTo(Json.parse(wanted.toString()));
		assertThat(message).isNotNull();
		assertThat(message.isString()).isTrue();
		assertThat(message.asString()).isNotBlank().doesNotContain("\n", "\tat ", "Exception", "java.");
	}

	private static JsonNode response(long id, Scribe... scribes) {
		return response(id, List.of(scribes));
	}

	private static JsonNode response(long id, List<Scribe> scribes) {
		ObjectNode response = JsonNodeFactory.instance.objectNode().put("type", "response").put("id", (int) id);
		scribes.forEach((scribe) -> response.withArray("result").add(Json.wire(scribe)));
		if (scribes.isEmpty()) {
			response.putArray("result");
		}
		return Json.parse(response.toString());
	}

	private static JsonNode withMore(JsonNode response) {
		return ((ObjectNode) response.deepCopy()).put("more", true);
	}

	/**
	 * Appends scribes for several audiences and returns those meant for alice.
	 */
	private List<Scribe> appendMixedAudiences() {
		List<ScribeEntry> appended = this.server.log.append(List.of(entry("a", Recipients.all(), null),
				entry("b", Recipients.only("bob"), null), entry("c", Recipients.all(), "alice"),
				entry("d", Recipients.only("alice", "bob"), null), entry("e", Recipients.allExcept(List.of("alice")), null),
				entry("f", Recipients.only("bob"), "alice")));
		return List.of(appended.get(0).scribe(), appended.get(3).scribe());
	}

	private List<Scribe> appendForEveryone(int count) {
		List<Scribe> scribes = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			scribes.add(this.server.log.append(List.of(entry("e" + i, Recipients.all(), null))).get(0).scribe());
		}
		return scribes;
	}

	private static ScribeEntry entry(String recordId, Recipients recipients, @Nullable String origin) {
		return new ScribeEntry(Scribe.create("Todo", Json.todo(recordId, recordId)), recipients, origin);
	}

	private void failNextPlays(String title, int times) {
		this.failures.put(title, new AtomicInteger(times));
	}

	private void failIfAsked(Scribe scribe) {
		String title = scribe.attributes().path("title").asString("");
		AtomicInteger left = this.failures.get(title);
		if (left == null || left.getAndDecrement() <= 0) {
			return;
		}
		switch (title) {
			case "stale" -> throw new SyncroException(ErrorCodes.CONFLICT, "The record changed meanwhile.");
			case "limited" -> throw new SyncroException(ErrorCodes.RATE_LIMITED, "Too many writes; slow down.");
			case "explodes" -> throw new IllegalStateException("secret internals: password=hunter2");
			case "misread" -> tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode().asString();
			default -> throw new IllegalArgumentException(title);
		}
	}

}

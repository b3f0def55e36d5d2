package io.syncro.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeLog;
import io.syncro.store.ScribeLogContractTests;
import io.syncro.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisScribeLog} on a real Redis server: the {@link ScribeLog}
 * contract, with its second node another log on connections of its own, and what Redis
 * adds: the key layout, round trips, announcements between nodes and ordering under
 * concurrent appends on two nodes.
 */
class RedisScribeLogTests extends ScribeLogContractTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final RedisServer redis = RedisServer.shared();

	private final RedisConnections connections = new RedisConnections(this.redis);

	private final List<RedisScribeLog> nodes = new ArrayList<>();

	private final AtomicLong records = new AtomicLong();

	@Override
	protected ScribeLog createLog() {
		this.redis.flushAll();
		return node(RedisScribeLog.DEFAULT_NAMESPACE);
	}

	@Override
	protected ScribeLog createSecondNodeLog() {
		return node(RedisScribeLog.DEFAULT_NAMESPACE);
	}

	private RedisScribeLog node(String namespace) {
		return node(this.connections.newFactory(), namespace);
	}

	private RedisScribeLog node(LettuceConnectionFactory factory, String namespace) {
		RedisScribeLog log = new RedisScribeLog(factory, namespace);
		this.nodes.add(log);
		return log;
	}

	@AfterEach
	void closeNodes() {
		this.nodes.forEach(RedisScribeLog::close);
		this.connections.close();
	}

	@Test
	void keysFollowTheLayoutOfTheClassJavadoc() {
		ObjectNode changes = JsonNodeFactory.instance.objectNode().put("done", true);
		log().append(List.of(
				new ScribeEntry(Scribe.update("Todo", "7f0c", changes), Recipients.allExcept(Set.of("alice")), "bob"),
				new ScribeEntry(Scribe.destroy("Todo", "7f0c"), Recipients.only("carol", "dave"), "dave")));
		assertThat(this.redis.command("GET", "syncro:log:last-id")).isEqualTo("2");
		assertThat(MessageCodec.readTree(this.redis.command("HGET", "syncro:log:scribes", "1"))).isEqualTo(
				MessageCodec.readTree("""
						{"klass": "Todo", "type": "update", "data": ["7f0c", {"done": true}],
						 "origin": "bob", "everyone": true, "clients": ["alice"]}
						"""));
		assertThat(this.redis.command("ZRANGE", "syncro:log:everyone", "0", "-1")).isEqualTo("1");
		assertThat(this.redis.command("HGET", "syncro:log:blocked", "1")).isEqualTo("[\"=bob\",\"alice\"]");
		assertThat(MessageCodec.readTree(this.redis.command("HGET", "syncro:log:scribes", "2"))).isEqualTo(
				MessageCodec.readTree("""
						{"klass": "Todo", "type": "destroy", "data": ["7f0c"],
						 "origin": "dave", "everyone": false, "clients": ["carol", "dave"]}
						"""));
		assertThat(this.redis.command("ZRANGE", "syncro:log:client:carol", "0", "-1")).isEqualTo("2");
		assertThat(this.redis.command("ZRANGE", "syncro:log:client:dave", "0", "-1")).isEqualTo("2");
		assertThat(this.redis.command("HGET", "syncro:log:blocked", "2")).isEqualTo("[\"=dave\"]");
		log().append(List.of(new ScribeEntry(Scribe.destroy("Todo", "7f0d"),
				Recipients.users("erin").minus(Recipients.only("erin-phone")), null)));
		assertThat(this.redis.command("ZRANGE", "syncro:log:client:@erin", "0", "-1")).isEqualTo("3");
		assertThat(this.redis.command("HGET", "syncro:log:blocked", "3")).isEqualTo("[\"erin-phone\"]");
	}

	@Test
	void aLogWrittenByVersion01IsReadAsItWasMeant() {
		// the layout of 0.1: the origin in the blocked list of a scribe for everyone, left
		// out of the sets of a scribe for some, and in its own set when the scribe reaches it
		this.redis.command("SET", "syncro:log:last-id", "3");
		this.redis.command("HSET", "syncro:log:scribes", "1", MessageCodec.writeTree(
				entry(Recipients.allExcept(Set.of("alice")), "bob").withId(1).toJson()));
		this.redis.command("ZADD", "syncro:log:everyone", "1", "1");
		this.redis.command("HSET", "syncro:log:blocked", "1", "[\"alice\",\"bob\"]");
		this.redis.command("ZADD", "syncro:log:own:bob", "1", "1");
		this.redis.command("HSET", "syncro:log:scribes", "2", MessageCodec.writeTree(
				entry(Recipients.only("carol", "dave"), "dave").withId(2).toJson()));
		this.redis.command("ZADD", "syncro:log:client:carol", "2", "2");
		this.redis.command("ZADD", "syncro:log:own:dave", "2", "2");
		this.redis.command("HSET", "syncro:log:scribes", "3", MessageCodec.writeTree(
				entry(Recipients.all(), null).withId(3).toJson()));
		this.redis.command("ZADD", "syncro:log:everyone", "3", "3");

		assertThat(log().read(Reader.of("alice"), 0, 10)).extracting(Scribe::id).containsExactly(3L);
		assertThat(log().read(Reader.of("bob"), 0, 10)).extracting(Scribe::id).containsExactly(3L);
		assertThat(log().read(Reader.withOwn("bob"), 0, 10)).extracting(Scribe::id).containsExactly(1L, 3L);
		assertThat(log().read(Reader.of("carol"), 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(log().read(Reader.of("dave"), 0, 10)).extracting(Scribe::id).containsExactly(1L, 3L);
		assertThat(log().read(Reader.withOwn("dave"), 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(log().lastId(Reader.withOwn("dave"))).isEqualTo(3);
		assertThat(log().lastId(Reader.of("alice"))).isEqualTo(3);
		// and the log goes on in the new layout
		assertThat(ids(log().append(List.of(entry(Recipients.only("dave"), "dave"))))).containsExactly(4L);
		assertThat(log().read(Reader.withOwn("dave"), 3, 10)).extracting(Scribe::id).containsExactly(4L);
		assertThat(log().read(Reader.of("dave"), 3, 10)).isEmpty();
	}

	@Test
	void logsInDifferentNamespacesAreIndependent() {
		RedisScribeLog other = node("other:app");
		log().append(List.of(entry(Recipients.all(), null), entry(Recipients.all(), null)));
		assertThat(ids(other.append(List.of(entry(Recipients.only("alice"), null))))).containsExactly(1L);
		assertThat(log().read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L);
		assertThat(other.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L);
		assertThat(this.redis.command("GET", "other:app:log:last-id")).isEqualTo("1");
		assertThat(this.redis.command("EXISTS", "other:app:log:client:alice")).isEqualTo("1");
	}

	@Test
	void namespaceMustHaveTextWithoutWhiteSpace() {
		LettuceConnectionFactory factory = this.connections.newFactory();
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisScribeLog(factory, ""));
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisScribeLog(factory, "my app"));
	}

	@Test
	void idsCloseToTwoToTheFiftyThirdKeepEveryDigit() {
		long start = (1L << 53) - 10;
		this.redis.command("SET", "syncro:log:last-id", Long.toString(start));
		List<ScribeEntry> appended = log().append(List.of(entry(Recipients.all(), null),
				entry(Recipients.only("alice"), null), entry(Recipients.allExcept(Set.of("bob")), null)));
		assertThat(ids(appended)).containsExactly(start + 1, start + 2, start + 3);
		assertThat(log().read("alice", start, 10)).extracting(Scribe::id)
			.containsExactly(start + 1, start + 2, start + 3);
		assertThat(log().read("alice", start + 1, 10)).extracting(Scribe::id).containsExactly(start + 2, start + 3);
		assertThat(log().read("bob", start, 10)).extracting(Scribe::id).containsExactly(start + 1);
		assertThat(log().lastId("alice")).isEqualTo(start + 3);
		assertThat(log().lastId("bob")).isEqualTo(start + 1);
	}

	@Test
	void readPassesOverThousandsOfScribesTheReaderIsLeftOutOf() {
		for (int i = 0; i < 5; i++) {
			List<ScribeEntry> own = new ArrayList<>();
			for (int j = 0; j < 500; j++) {
				own.add(entry(Recipients.all(), "alice"));
			}
			log().append(own);
		}
		log().append(List.of(entry(Recipients.allExcept(Set.of("alice")), null), entry(Recipients.all(), null)));
		assertThat(log().read("alice", 0, 10)).extracting(Scribe::id).containsExactly(2502L);
		assertThat(log().read("alice", 0, 1)).extracting(Scribe::id).containsExactly(2502L);
		assertThat(log().lastId("alice")).isEqualTo(2502);
		assertThat(log().read("bob", 0, 3)).extracting(Scribe::id).containsExactly(1L, 2L, 3L);
		assertThat(log().read("bob", 0, Integer.MAX_VALUE)).hasSize(2502);
	}

	@Test
	void readAndLastIdGoOnWhereAScriptStoppedLookingWithoutSkippingOrRepeating() {
		// Each run of 999 scribes from alice is followed by one for alice only; then come
		// more scribes from alice than one script looks at.
		List<Long> forAlice = new ArrayList<>();
		for (int run = 0; run < 30; run++) {
			List<ScribeEntry> entries = new ArrayList<>();
			for (int i = 0; i < 999; i++) {
				entries.add(entry(Recipients.all(), "alice"));
			}
			entries.add(entry(Recipients.only("alice", "bob"), "bob"));
			List<ScribeEntry> appended = log().append(entries);
			forAlice.add(appended.get(appended.size() - 1).id());
		}
		for (int run = 0; run < 3; run++) {
			List<ScribeEntry> entries = new ArrayList<>();
			for (int i = 0; i < 4000; i++) {
				entries.add(entry(Recipients.allExcept(Set.of("carol")), "alice"));
			}
			log().append(entries);
		}
		assertThat(RedisScribeLog.SCAN_BUDGET).isLessThan(12_000);
		assertThat(log().read("alice", 0, Integer.MAX_VALUE)).extracting(Scribe::id)
			.containsExactlyElementsOf(forAlice);
		assertThat(log().read("alice", 0, 5)).extracting(Scribe::id).containsExactlyElementsOf(forAlice.subList(0, 5));
		assertThat(log().read("alice", forAlice.get(9), 3)).extracting(Scribe::id)
			.containsExactlyElementsOf(forAlice.subList(10, 13));
		assertThat(log().read("alice", forAlice.get(29), 10)).isEmpty();
		assertThat(log().lastId("alice")).isEqualTo(forAlice.get(29));
		assertThat(log().lastId("bob")).isEqualTo(30 * 1000 + 12_000);
		assertThat(log().lastId("carol")).isEqualTo(30 * 1000 - 1);
		assertThat(log().read("bob", 0, Integer.MAX_VALUE)).hasSize(30 * 999 + 12_000);
		assertThat(log().read("carol", 29_990, 100)).extracting(Scribe::id)
			.containsExactlyElementsOf(LongStream.rangeClosed(29_991, 29_999).boxed().toList());
	}

	@Test
	void readOfASyncAnswerIsOneRoundTrip() {
		AtomicInteger commands = new AtomicInteger();
		RedisScribeLog log = countingNode(commands);
		List<ScribeEntry> entries = new ArrayList<>();
		for (int i = 0; i < 10_000; i++) {
			entries.add(entry((i % 3 == 0) ? Recipients.only("alice") : Recipients.allExcept(Set.of("bob")),
					(i % 7 == 0) ? "alice" : null));
		}
		commands.set(0);
		log.append(entries);
		assertThat(commands.get()).as("commands of one append of 10,000 scribes").isLessThanOrEqualTo(2);
		log.read("alice", 0, 1);
		commands.set(0);
		List<Scribe> answer = log.read("alice", 0, 501);
		assertThat(answer).hasSize(501);
		assertThat(commands.get()).as("commands of one read of 501 scribes").isEqualTo(1);
		commands.set(0);
		long position = 0;
		int read = 0;
		while (true) {
			List<Scribe> batch = log.read("alice", position, 500);
			read += batch.size();
			if (batch.size() < 500) {
				break;
			}
			position = batch.get(batch.size() - 1).id();
		}
		long meant = entries.stream().filter((entry) -> entry.isFor("alice")).count();
		assertThat(read).isEqualTo(meant);
		assertThat(commands.get()).as("commands of reading %d scribes 500 at a time", meant)
			.isEqualTo((int) (meant / 500) + 1);
	}

	@Test
	void aRelayedAppendIsOneRoundTripOnTheNodeThatRelayedLastAndLeavesOutWhatAnotherNodeRelayedSince() {
		AtomicInteger commands = new AtomicInteger();
		RedisScribeLog log = countingNode(commands);
		ScribeLog other = createSecondNodeLog();
		log.appendRelayed(List.of(new Relayed(1, List.of(entry(Recipients.all(), null)))));
		commands.set(0);
		assertThat(ids(log.appendRelayed(List.of(new Relayed(2, List.of(entry(Recipients.all(), null)))))))
			.containsExactly(2L);
		assertThat(commands.get()).as("commands of a relayed append after this node's own").isOne();
		// another node relays 3, then this one relays 3 again (as after a crash) with 4
		other.appendRelayed(List.of(new Relayed(3, List.of(entry(Recipients.all(), null)))));
		commands.set(0);
		assertThat(ids(log.appendRelayed(List.of(new Relayed(3, List.of(entry(Recipients.all(), null))),
				new Relayed(4, List.of(entry(Recipients.all(), null))))))).containsExactly(4L);
		assertThat(commands.get()).as("the script, the read of the positions, the script again").isEqualTo(3);
		assertThat(log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L, 3L, 4L);
	}

	@Test
	void appendOnOneNodeWakesAListenerOfAnotherThatNeverAppends() {
		ScribeLog second = createSecondNodeLog();
		List<Long> told = new CopyOnWriteArrayList<>();
		addListener(second, told::add);
		log().append(List.of(entry(Recipients.all(), null)));
		log().append(List.of(entry(Recipients.only("bob"), null), entry(Recipients.all(), null)));
		await().atMost(WAIT).untilAsserted(() -> assertThat(told).contains(3L));
		assertThat(told).isSorted().allSatisfy((id) -> assertThat(id).isBetween(1L, 3L));
	}

	@Test
	void thisNodesAppendsAreToldWithTheirEntriesNeverByTheirAnnouncement() {
		List<Long> announced = new CopyOnWriteArrayList<>();
		List<Long> given = new CopyOnWriteArrayList<>();
		addListener(log(), new ScribeLog.AppendListener() {

			@Override
			public void appended(long lastId) {
				announced.add(lastId);
			}

			@Override
			public void appended(List<ScribeEntry> entries) {
				entries.forEach((entry) -> given.add(entry.id()));
			}

		});
		// the announcement often arrives before the script's answer; told first, it
		// would have a listener that keeps scribes read them back from Redis
		for (int i = 0; i < 200; i++) {
			log().append(List.of(entry(Recipients.all(), null)));
			log().appendRelayed(List.of(new Relayed(i + 1, List.of(entry(Recipients.all(), null)))));
		}
		assertThat(announced).isEmpty();
		assertThat(given).isEqualTo(LongStream.rangeClosed(1, 400).boxed().toList());
	}

	@Test
	void listenersAreToldOfAppendsWhoseAnnouncementTheyMissed() throws Exception {
		ScribeLog second = createSecondNodeLog();
		List<Long> told = new CopyOnWriteArrayList<>();
		addListener(second, told::add);
		log().append(List.of(entry(Recipients.all(), null)));
		await().atMost(WAIT).untilAsserted(() -> assertThat(told).contains(1L));
		// An append whose announcement nobody hears, as when it is made while the
		// subscription's connection is down ...
		assertThat(runAppendScript("a channel nobody listens to", "token-1")).isEqualTo(2);
		// ... is told once the subscription is made again.
		this.redis.command("CLIENT", "KILL", "TYPE", "pubsub");
		await().atMost(WAIT).untilAsserted(() -> assertThat(told).contains(2L));
		assertThat(second.read("alice", 1, 10)).extracting(Scribe::id).containsExactly(2L);
		log().append(List.of(entry(Recipients.all(), null)));
		await().atMost(WAIT).untilAsserted(() -> assertThat(told).contains(3L));
	}

	@Test
	void appendResentWithItsTokenIsLoggedOnce() {
		List<Long> told = new CopyOnWriteArrayList<>();
		addListener(log(), told::add);
		assertThat(runAppendScript("syncro:log:appended", "token-1")).isEqualTo(1);
		assertThat(runAppendScript("syncro:log:appended", "token-1")).isEqualTo(1);
		assertThat(runAppendScript("syncro:log:appended", "token-2")).isEqualTo(2);
		assertThat(log().read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L, 2L);
		assertThat(ids(log().append(List.of(entry(Recipients.all(), null))))).containsExactly(3L);
		await().atMost(WAIT).untilAsserted(() -> assertThat(told).contains(3L));
		long ttl = Long.parseLong(this.redis.command("PTTL", "syncro:log:append:token-1"));
		assertThat(ttl).isBetween(1L, Duration.ofMinutes(10).toMillis());
	}

	/**
	 * Runs the append script of one scribe for everyone as {@link RedisScribeLog#append}
	 * would, but with the given channel and token.
	 */
	private long runAppendScript(String channel, String token) {
		StringRedisTemplate template = new StringRedisTemplate(this.connections.newFactory());
		String body = """
				{"klass":"Todo","type":"destroy","data":["r"],"origin":null,"everyone":true,"clients":[]}""";
		Long last = template.execute(RedisScribeLog.APPEND_SCRIPT,
				List.of("syncro:log:last-id", "syncro:log:scribes", "syncro:log:everyone", "syncro:log:blocked",
						"syncro:log:append:" + token, "syncro:log:relayed"),
				channel, "1", "600000", "-", "-", body, "", "-1");
		assertThat(last).isNotNull();
		return last;
	}

	@Test
	void closeEndsTheSubscription() {
		RedisScribeLog log = (RedisScribeLog) log();
		addListener(log, (lastId) -> {
		});
		assertThat(this.redis.command("PUBSUB", "NUMSUB", "syncro:log:appended")).isEqualTo("syncro:log:appended\n1");
		log.close();
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.redis.command("PUBSUB", "NUMSUB", "syncro:log:appended"))
				.isEqualTo("syncro:log:appended\n0"));
		assertThat(ids(log.append(List.of(entry(Recipients.all(), null))))).containsExactly(1L);
		assertThat(log.read("alice", 0, 10)).extracting(Scribe::id).containsExactly(1L);
	}

	@Test
	void readersOnTwoNodesNeverFindANewScribeBelowWhatTheyHaveSeen() throws Exception {
		int writerCount = 8;
		int appendsPerWriter = 400;
		List<String> readers = List.of("reader-0", "reader-1", "reader-2", "reader-3");
		List<String> uids = new ArrayList<>(readers);
		uids.addAll(List.of("writer-a", "writer-b"));
		List<ScribeLog> bothNodes = List.of(log(), createSecondNodeLog());
		List<ScribeEntry> appended = Collections.synchronizedList(new ArrayList<>());
		AtomicInteger writersLeft = new AtomicInteger(writerCount);
		AtomicBoolean failed = new AtomicBoolean();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(writerCount + readers.size());
		try {
			List<Future<?>> writers = new ArrayList<>();
			for (int w = 0; w < writerCount; w++) {
				ScribeLog node = bothNodes.get(w % 2);
				writers.add(executor.submit(() -> {
					try {
						start.await();
						ThreadLocalRandom random = ThreadLocalRandom.current();
						for (int i = 0; i < appendsPerWriter && !failed.get(); i++) {
							List<ScribeEntry> entries = new ArrayList<>();
							for (int j = random.nextInt(1, 4); j > 0; j--) {
								entries.add(entry(randomRecipients(random, uids),
										random.nextBoolean() ? null : uids.get(random.nextInt(uids.size()))));
							}
							appended.addAll(node.append(entries));
						}
						return null;
					}
					catch (Throwable ex) {
						failed.set(true);
						throw ex;
					}
					finally {
						writersLeft.decrementAndGet();
					}
				}));
			}
			List<Future<List<Long>>> seenByReader = new ArrayList<>();
			for (int r = 0; r < readers.size(); r++) {
				String client = readers.get(r);
				ScribeLog node = bothNodes.get(r % 2);
				seenByReader.add(executor.submit(() -> {
					try {
						start.await();
						return readWhileWritersAppend(node, client, writersLeft, failed);
					}
					catch (Throwable ex) {
						failed.set(true);
						throw ex;
					}
				}));
			}
			start.countDown();
			for (Future<?> writer : writers) {
				assertThat(writer).succeedsWithin(WAIT);
			}
			List<ScribeEntry> all = new ArrayList<>(appended);
			all.sort(Comparator.comparingLong(ScribeEntry::id));
			assertThat(all).extracting(ScribeEntry::id).doesNotHaveDuplicates();
			assertThat(all.get(all.size() - 1).id()).isEqualTo(all.size());
			for (int r = 0; r < readers.size(); r++) {
				String client = readers.get(r);
				List<Long> expected = all.stream().filter((entry) -> entry.isFor(client)).map(ScribeEntry::id).toList();
				assertThat(seenByReader.get(r).get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("ids %s saw", client)
					.containsExactlyElementsOf(expected);
				for (ScribeLog node : bothNodes) {
					assertThat(node.read(client, 0, Integer.MAX_VALUE)).extracting(Scribe::id)
						.containsExactlyElementsOf(expected);
					assertThat(node.lastId(client)).isEqualTo(expected.get(expected.size() - 1));
				}
			}
		}
		finally {
			executor.shutdownNow();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	/**
	 * Polls the log from its position until the writers are done, and checks now and then
	 * that reading again from the start finds exactly what it saw below its position.
	 */
	private static List<Long> readWhileWritersAppend(ScribeLog node, String client, AtomicInteger writersLeft,
			AtomicBoolean failed) {
		List<Long> seen = new ArrayList<>();
		long position = 0;
		boolean writersDone = false;
		for (int round = 1; !failed.get(); round++) {
			boolean lastRound = writersDone;
			List<Scribe> batch = node.read(client, position, 100);
			for (Scribe scribe : batch) {
				assertThat(scribe.id()).as("%s at position %d", client, position).isGreaterThan(position);
				position = scribe.id();
				seen.add(position);
			}
			if (round % 25 == 0) {
				List<Scribe> again = node.read(client, 0, seen.size() + 1);
				assertThat(again).hasSizeGreaterThanOrEqualTo(seen.size());
				assertThat(again.subList(0, seen.size())).extracting(Scribe::id)
					.as("%s reading again from 0 at position %d", client, position)
					.containsExactlyElementsOf(seen);
				if (again.size() > seen.size()) {
					assertThat(again.get(seen.size()).id()).isGreaterThan(position);
				}
			}
			if (batch.isEmpty() && lastRound) {
				break;
			}
			writersDone = writersLeft.get() == 0;
		}
		return seen;
	}

	@Test
	void readerWokenOnlyByAnnouncementsOfAnotherNodeGetsEveryScribeOnce() throws Exception {
		ScribeLog writerNode = log();
		ScribeLog readerNode = createSecondNodeLog();
		Semaphore wakeups = new Semaphore(0);
		addListener(readerNode, (lastId) -> wakeups.release());
		AtomicBoolean writing = new AtomicBoolean(true);
		List<Long> delivered = new CopyOnWriteArrayList<>();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			// Like a live session: it reads from its position only when woken.
			Future<?> reader = executor.submit(() -> {
				long position = 0;
				while (writing.get() || wakeups.availablePermits() > 0) {
					if (!wakeups.tryAcquire(50, TimeUnit.MILLISECONDS)) {
						continue;
					}
					wakeups.drainPermits();
					List<Scribe> batch;
					do {
						batch = readerNode.read("alice", position, 500);
						for (Scribe scribe : batch) {
							position = scribe.id();
							delivered.add(position);
						}
					}
					while (batch.size() == 500);
				}
				return null;
			});
			List<Long> expected = new ArrayList<>();
			ThreadLocalRandom random = ThreadLocalRandom.current();
			for (int i = 0; i < 2000; i++) {
				Recipients recipients = random.nextBoolean() ? Recipients.only("alice") : Recipients.only("bob");
				for (ScribeEntry entry : writerNode.append(List.of(entry(recipients, null)))) {
					if (entry.isFor("alice")) {
						expected.add(entry.id());
					}
				}
			}
			await().atMost(WAIT).untilAsserted(() -> assertThat(delivered).hasSameSizeAs(expected));
			writing.set(false);
			assertThat(reader).succeedsWithin(WAIT);
			assertThat(delivered).containsExactlyElementsOf(expected);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void measuresAppendsPerSecondAndTheTimeToReadTenThousandScribes() throws Exception {
		ScribeLog log = log();
		int appends = 5000;
		long started = System.nanoTime();
		for (int i = 0; i < appends; i++) {
			log.append(List.of(entry(Recipients.all(), null)));
		}
		double oneThread = appends / ((System.nanoTime() - started) / 1e9);
		int threads = 8;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> writers = new ArrayList<>();
			started = System.nanoTime();
			for (int t = 0; t < threads; t++) {
				writers.add(executor.submit(() -> {
					for (int i = 0; i < appends / threads; i++) {
						log.append(List.of(entry(Recipients.all(), null)));
					}
				}));
			}
			for (Future<?> writer : writers) {
				assertThat(writer).succeedsWithin(WAIT);
			}
		}
		finally {
			executor.shutdownNow();
		}
		double eightThreads = appends / ((System.nanoTime() - started) / 1e9);
		started = System.nanoTime();
		long position = 0;
		int read = 0;
		for (int batch = 0; batch < 20; batch++) {
			List<Scribe> scribes = log.read("alice", position, 500);
			read += scribes.size();
			position = scribes.get(scribes.size() - 1).id();
		}
		double readMillis = (System.nanoTime() - started) / 1e6;
		System.out.printf("RedisScribeLog: %.0f appends/s on one thread, %.0f appends/s on %d threads of one node; "
				+ "read %d scribes in batches of 500 in %.1f ms%n", oneThread, eightThreads, threads, read, readMillis);
		assertThat(read).isEqualTo(10_000);
		assertThat(position).isEqualTo(10_000);
	}

	/** A node in the default namespace whose connections count every command they send. */
	private RedisScribeLog countingNode(AtomicInteger commands) {
		LettuceConnectionFactory factory = this.connections.newFactory();
		factory.getRequiredNativeClient().addListener(new CommandListener() {

			@Override
			public void commandStarted(CommandStartedEvent event) {
				commands.incrementAndGet();
			}

		});
		return node(factory, RedisScribeLog.DEFAULT_NAMESPACE);
	}

	private void addListener(ScribeLog log, ScribeLog.AppendListener listener) {
		AutoCloseable handle = log.addListener(listener);
		assertThat(handle).isNotNull();
	}

	private ScribeEntry entry(Recipients recipients, String origin) {
		ObjectNode record = JsonNodeFactory.instance.objectNode();
		record.put("id", "record-" + this.records.incrementAndGet());
		record.put("title", "A title");
		return new ScribeEntry(Scribe.create("Todo", record), recipients, origin);
	}

	private static Recipients randomRecipients(ThreadLocalRandom random, List<String> uids) {
		int kind = random.nextInt(4);
		if (kind == 0) {
			return Recipients.all();
		}
		Set<String> some = uids.stream().filter((uid) -> random.nextInt(3) == 0).collect(Collectors.toSet());
		return (kind == 1) ? Recipients.allExcept(some) : Recipients.only(some);
	}

	private static List<Long> ids(List<ScribeEntry> entries) {
		return entries.stream().map(ScribeEntry::id).toList();
	}

}

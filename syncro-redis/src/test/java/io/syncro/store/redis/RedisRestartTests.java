package io.syncro.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Refusal;
import io.syncro.store.ScribeLog;
import io.syncro.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.dao.DataAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisScribeLog} and {@link RedisClientStore} when Redis crashes and
 * comes back while two nodes use it: calls made while it is down fail with an exception,
 * nothing acknowledged before is lost, nothing that failed is logged, and both nodes work
 * again afterwards. Each test has a server of its own, which it restarts.
 */
class RedisRestartTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private RedisServer redis;

	private RedisConnections connections;

	private final List<RedisScribeLog> nodes = new ArrayList<>();

	private final AtomicLong records = new AtomicLong();

	@BeforeEach
	void startRedis() {
		this.redis = RedisServer.start();
		// A short timeout, so that calls made while Redis is down fail quickly.
		this.connections = new RedisConnections(this.redis, Duration.ofSeconds(1));
	}

	@AfterEach
	void stopRedis() {
		this.nodes.forEach(RedisScribeLog::close);
		this.connections.close();
		this.redis.close();
	}

	@Test
	void logLosesNothingAcknowledgedAndKeepsItsIdsAcrossARestart() {
		RedisScribeLog first = node();
		RedisScribeLog second = node();
		List<Long> toldFirst = new CopyOnWriteArrayList<>();
		first.addListener(toldFirst::add);
		List<ScribeEntry> acknowledged = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			ScribeLog node = (i % 2 == 0) ? first : second;
			acknowledged.addAll(node.append(List.of(entry(recipients(i), (i % 5 == 0) ? "alice" : null),
					entry(Recipients.only("alice", "bob"), null))));
		}
		long lastBefore = acknowledged.get(acknowledged.size() - 1).id();
		assertThat(lastBefore).isEqualTo(120);
		// alice has read part of the log when Redis goes down
		long alicePosition = first.read("alice", 0, 40).get(39).id();

		this.redis.restart(() -> {
			assertThatExceptionOfType(DataAccessException.class)
				.isThrownBy(() -> first.append(List.of(entry(Recipients.all(), null))));
			assertThatExceptionOfType(DataAccessException.class)
				.isThrownBy(() -> second.append(List.of(entry(Recipients.only("alice"), null))));
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> first.read("alice", 0, 10));
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> second.lastId("alice"));
		});

		awaitReachable(first);
		awaitReachable(second);
		List<ScribeEntry> afterRestart = second.append(List.of(entry(Recipients.all(), null)));
		assertThat(afterRestart).extracting(ScribeEntry::id).containsExactly(lastBefore + 1);
		acknowledged.addAll(afterRestart);
		await().atMost(WAIT).untilAsserted(() -> assertThat(toldFirst).contains(lastBefore + 1));
		acknowledged.addAll(first.append(List.of(entry(Recipients.only("alice"), "bob"))));

		for (String client : List.of("alice", "bob", "carol")) {
			List<Scribe> expected = acknowledged.stream()
				.filter((entry) -> entry.isFor(client))
				.map(ScribeEntry::scribe)
				.toList();
			for (ScribeLog node : List.of(first, second)) {
				assertThat(node.read(client, 0, Integer.MAX_VALUE)).as("scribes for %s", client)
					.containsExactlyElementsOf(expected);
				assertThat(node.lastId(client)).isEqualTo(expected.get(expected.size() - 1).id());
			}
		}
		List<Scribe> aliceRest = acknowledged.stream()
			.filter((entry) -> entry.isFor("alice") && entry.id() > alicePosition)
			.map(ScribeEntry::scribe)
			.toList();
		assertThat(second.read("alice", alicePosition, 500)).containsExactlyElementsOf(aliceRest);
	}

	@Test
	void clientStoreKeepsMarksRefusalsAndPrincipalsAcrossARestart() {
		RedisClientStore store = new RedisClientStore(this.connections.newFactory());
		store.advanceMark("alice", 0, 6, null);
		store.advanceMark("alice", 6, 7, new Refusal(403, "Not yours."));
		store.markSynced("alice");
		store.bindPrincipal("alice", "Alice Liddell");

		this.redis.restart(() -> {
			assertThatExceptionOfType(DataAccessException.class)
				.isThrownBy(() -> store.advanceMark("alice", 7, 8, null));
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> store.mark("alice"));
		});

		await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(store.mark("alice")).isEqualTo(7));
		assertThat(store.refusal("alice", 7)).contains(new Refusal(403, "Not yours."));
		assertThat(store.isSynced("alice")).isTrue();
		assertThat(store.principal("alice")).contains("Alice Liddell");
		assertThat(store.bindPrincipal("alice", "Mallory")).isFalse();
		assertThat(store.advanceMark("alice", 7, 8, null)).isTrue();
	}

	@Test
	void listenerAddedWhileRedisIsDownIsToldOfOtherNodesAppendsOnceItIsBack() {
		RedisScribeLog writer = node();
		RedisScribeLog reader = node();
		List<Long> told = new CopyOnWriteArrayList<>();
		this.redis.restart(() -> reader.addListener(told::add));
		awaitReachable(writer, "nobody");
		await().atMost(WAIT).untilAsserted(() -> {
			writer.append(List.of(entry(Recipients.all(), null)));
			assertThat(told).isNotEmpty();
		});
		List<ScribeEntry> appended = writer.append(List.of(entry(Recipients.all(), null)));
		await().atMost(WAIT).untilAsserted(() -> assertThat(told).contains(appended.get(0).id()));
	}

	private RedisScribeLog node() {
		RedisScribeLog log = new RedisScribeLog(this.connections.newFactory());
		this.nodes.add(log);
		return log;
	}

	private static void awaitReachable(ScribeLog log) {
		await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(log.lastId("nobody")).isPositive());
	}

	private static void awaitReachable(ScribeLog log, String client) {
		await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(log.lastId(client)).isNotNegative());
	}

	private static Recipients recipients(int i) {
		return switch (i % 3) {
			case 0 -> Recipients.all();
			case 1 -> Recipients.allExcept(Set.of("bob"));
			default -> Recipients.only("carol");
		};
	}

	private ScribeEntry entry(Recipients recipients, String origin) {
		ObjectNode record = JsonNodeFactory.instance.objectNode();
		record.put("id", "record-" + this.records.incrementAndGet());
		record.put("count", (int) this.records.get());
		record.put("ratio", 0.5);
		return new ScribeEntry(Scribe.create("Todo", record), recipients, origin);
	}

}

package io.syncro.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.syncro.scribe.Changes;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Compaction;
import io.syncro.store.CompactionContractTests;
import io.syncro.store.ScribeLog;
import io.syncro.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CompactionContractTests} on a real Redis server, and what is the Redis log's own:
 * one node at a time compacts, every node sees the horizon, and no index keeps an id
 * compaction removed.
 */
class RedisCompactionTests extends CompactionContractTests {

	private final RedisServer redis = RedisServer.shared();

	private final RedisConnections connections = new RedisConnections(this.redis);

	private final List<RedisScribeLog> nodes = new ArrayList<>();

	@Override
	protected ScribeLog createLog() {
		this.redis.flushAll();
		return node();
	}

	private RedisScribeLog node() {
		RedisScribeLog log = new RedisScribeLog(this.connections.newFactory());
		this.nodes.add(log);
		return log;
	}

	@AfterEach
	void closeNodes() {
		this.nodes.forEach(RedisScribeLog::close);
		this.connections.close();
	}

	@Test
	void oneNodeAtATimeCompactsAndEveryNodeSeesTheHorizon() {
		RedisScribeLog one = this.nodes.get(0);
		RedisScribeLog two = node();
		for (int i = 0; i < 20; i++) {
			one.append(Changes.created("Todo", JsonNodeFactory.instance.objectNode().put("id", "t" + i),
					Recipients.users("alice"), "c" + i));
			one.append(Changes.destroyed("Todo", "t" + i, Recipients.users("alice"), "c" + i));
		}
		Instant now = Instant.now();
		this.redis.command("SET", "syncro:log:compaction", "another-node");
		assertThat(two.compact(new Compaction(2, Duration.ZERO), now).cutoff()).isZero();
		assertThat(this.redis.command("GET", "syncro:log:compaction")).isEqualTo("another-node");
		this.redis.command("DEL", "syncro:log:compaction");
		Compaction.Report report = two.compact(new Compaction(2, Duration.ZERO), now);
		assertThat(report.expired()).isEqualTo(19);
		assertThat(one.horizon()).isEqualTo(report.horizon()).isEqualTo(38);
		assertThat(one.entries(0, 100)).extracting((entry) -> entry.id()).containsExactly(39L, 40L);
		assertThat(this.redis.command("EXISTS", "syncro:log:compaction")).isEqualTo("0");
		// what is left is all the indexes hold
		assertThat(this.redis.command("HLEN", "syncro:log:scribes")).isEqualTo("2");
		assertThat(this.redis.command("ZCARD", "syncro:log:client:@alice")).isEqualTo("2");
		assertThat(this.redis.command("HLEN", "syncro:log:blocked")).isEqualTo("2");
		assertThat(this.redis.command("ZCARD", "syncro:log:tombstones")).isEqualTo("0");
		assertThat(one.read(Reader.of(Identity.of("c99", "alice", Set.of()), true), 0, 10))
			.extracting((scribe) -> scribe.id())
			.containsExactly(39L, 40L);
	}

	@Test
	void entriesPassOverGapsLargerThanOneScript() {
		RedisScribeLog log = this.nodes.get(0);
		for (int i = 0; i < 25_000; i += 5_000) {
			List<ScribeEntry> batch = new ArrayList<>();
			for (int j = i; j < i + 5_000; j++) {
				batch.add(Changes.created("Todo", JsonNodeFactory.instance.objectNode().put("id", "t" + (j % 3)),
						Recipients.all(), null).get(0));
			}
			log.append(batch);
		}
		log.compact(new Compaction(1, Duration.ZERO), Instant.now());
		// the last create of each of the three records, and the newest scribe kept
		assertThat(log.entries(0, 10)).extracting((entry) -> entry.id())
			.containsExactly(24_997L, 24_998L, 24_999L, 25_000L);
		assertThat(log.entries(0, 1)).extracting((entry) -> entry.id()).containsExactly(24_997L);
		assertThat(log.entries(24_997, 1)).extracting((entry) -> entry.id()).containsExactly(24_998L);
	}

}

package io.syncro.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Compaction;
import io.syncro.store.RecordFolds;
import io.syncro.store.ScribeLog;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Compaction of a {@link RedisScribeLog} (docs/PROTOCOL.md section 8.8): reads the scribes
 * up to the cut-off, folds them by record, and rewrites them {@value #RECORDS_PER_SCRIPT}
 * records per script, each record whole in one, so that appends and reads go on between
 * scripts; then removes the tombstones past their retention, raising the horizon in the
 * same script. The keys it adds, with the default namespace:
 * <pre class="code">
 * SET  syncro:log:compaction &lt;uuid&gt; NX PX 600000  -- this node's turn to compact
 * ZADD syncro:log:tombstones NX &lt;millis&gt; 18       -- when compaction first kept destroy 18
 * SET  syncro:log:horizon 18                       -- the highest tombstone removed
 * </pre>
 */
final class RedisLogCompaction {

	/**
	 * What the rewrite and expiry scripts share: {@code unindex(id)} takes a scribe out of
	 * the sets that list it and drops its blocked list, as its body says. KEYS: the bodies,
	 * the ids for everyone, the blocked lists. ARGV[1]: the key prefix
	 * ({@code <namespace>:log:}).
	 */
	private static final String UNINDEX = """
			local prefix = ARGV[1]
			local function unindex(id)
				local body = redis.call('HGET', KEYS[1], id)
				if not body then
					return
				end
				local scribe = cjson.decode(body)
				redis.call('ZREM', KEYS[2], id)
				if not scribe.everyone then
					for _, key in ipairs(scribe.clients) do
						if string.sub(key, 1, 1) ~= '!' then
							redis.call('ZREM', prefix .. 'client:' .. key, id)
						end
					end
				end
				if type(scribe.origin) == 'string' then
					redis.call('ZREM', prefix .. 'own:' .. scribe.origin, id)
				end
				redis.call('HDEL', KEYS[3], id)
			end
			""";

	/**
	 * Rewrites the scribes of some records. ARGV: the prefix, the number of ids to remove,
	 * those ids, then for each scribe to write: its id, body, blocked list ('' if none),
	 * the number of its listed keys (-1 for everyone) and those keys.
	 */
	static final RedisScript<Long> REWRITE_SCRIPT = RedisScript.of(UNINDEX + """
			local removed = tonumber(ARGV[2])
			for i = 3, 2 + removed do
				unindex(ARGV[i])
				redis.call('HDEL', KEYS[1], ARGV[i])
			end
			local i = 3 + removed
			while i <= #ARGV do
				local id, listed = ARGV[i], tonumber(ARGV[i + 3])
				unindex(id)
				redis.call('HSET', KEYS[1], id, ARGV[i + 1])
				if ARGV[i + 2] ~= '' then
					redis.call('HSET', KEYS[3], id, ARGV[i + 2])
				end
				if listed < 0 then
					redis.call('ZADD', KEYS[2], id, id)
				else
					for j = 1, listed do
						redis.call('ZADD', prefix .. 'client:' .. ARGV[i + 3 + j], id, id)
					end
				end
				i = i + 4 + math.max(listed, 0)
			end
			return removed
			""", Long.class);

	/**
	 * Removes expired tombstones and raises the horizon to the highest of them. KEYS: the
	 * bodies, the ids for everyone, the blocked lists, the tombstones, the horizon. ARGV:
	 * the prefix, then the ids, in id order.
	 */
	static final RedisScript<Long> EXPIRE_SCRIPT = RedisScript.of(UNINDEX + """
			for i = 2, #ARGV do
				unindex(ARGV[i])
				redis.call('HDEL', KEYS[1], ARGV[i])
				redis.call('ZREM', KEYS[4], ARGV[i])
			end
			local highest = tonumber(ARGV[#ARGV])
			if highest > tonumber(redis.call('GET', KEYS[5]) or '0') then
				redis.call('SET', KEYS[5], ARGV[#ARGV])
			end
			return #ARGV - 1
			""", Long.class);

	/** Gives up this node's turn, unless another node took it since. KEYS: the turn. ARGV: the token. */
	static final RedisScript<Long> RELEASE_SCRIPT = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
				return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	private static final int RECORDS_PER_SCRIPT = 200;

	/** How long one compaction may hold the turn before another node may take it. */
	private static final Duration TURN = Duration.ofMinutes(10);

	private final ScribeLog log;

	private final StringRedisTemplate redis;

	private final String prefix;

	RedisLogCompaction(ScribeLog log, StringRedisTemplate redis, String namespace) {
		this.log = log;
		this.redis = redis;
		this.prefix = namespace + ":log:";
	}

	long horizon() {
		String horizon = this.redis.opsForValue().get(this.prefix + "horizon");
		return (horizon != null) ? Long.parseLong(horizon) : 0;
	}

	Compaction.Report compact(Compaction compaction, Instant now) {
		String token = UUID.randomUUID().toString();
		if (!Boolean.TRUE.equals(this.redis.opsForValue().setIfAbsent(turnKey(), token, TURN))) {
			return Compaction.Report.nothing(horizon());
		}
		try {
			// ids have no gaps above the last cut-off, so the newest keepRecent are these
			long cutoff = this.log.head() - compaction.keepRecent();
			if (cutoff <= 0) {
				return Compaction.Report.nothing(horizon());
			}
			RecordFolds.Result folded = RecordFolds.upTo(this.log, cutoff);
			List<RecordFolds.Change> changes = folded.changes();
			for (int i = 0; i < changes.size(); i += RECORDS_PER_SCRIPT) {
				rewrite(changes.subList(i, Math.min(changes.size(), i + RECORDS_PER_SCRIPT)));
			}
			markTombstones(folded.tombstones(), now);
			int expired = expire(cutoff, now.minus(compaction.tombstoneRetention()));
			return new Compaction.Report(cutoff, folded.records(), folded.removed().size() + expired, expired, horizon());
		}
		finally {
			this.redis.execute(RELEASE_SCRIPT, List.of(turnKey()), token);
		}
	}

	private void rewrite(List<RecordFolds.Change> changes) {
		List<String> removed = new ArrayList<>();
		List<String> written = new ArrayList<>();
		for (RecordFolds.Change change : changes) {
			change.removed().forEach((id) -> removed.add(Long.toString(id)));
			for (ScribeEntry entry : change.written()) {
				ScribeIndex index = ScribeIndex.of(entry);
				written.add(Long.toString(entry.id()));
				written.add(index.body());
				written.add(index.blocked());
				written.add(index.listedCount());
				written.addAll(index.listed());
			}
		}
		List<String> arguments = new ArrayList<>();
		arguments.add(this.prefix);
		arguments.add(Integer.toString(removed.size()));
		arguments.addAll(removed);
		arguments.addAll(written);
		this.redis.execute(REWRITE_SCRIPT, List.of(scribesKey(), everyoneKey(), blockedKey()), arguments.toArray());
	}

	/** Notes when each tombstone was first kept. */
	private void markTombstones(Set<Long> tombstones, Instant now) {
		Set<TypedTuple<String>> since = new HashSet<>();
		for (long id : tombstones) {
			since.add(TypedTuple.of(Long.toString(id), (double) now.toEpochMilli()));
			if (since.size() == RECORDS_PER_SCRIPT) {
				this.redis.opsForZSet().addIfAbsent(tombstonesKey(), since);
				since.clear();
			}
		}
		if (!since.isEmpty()) {
			this.redis.opsForZSet().addIfAbsent(tombstonesKey(), since);
		}
	}

	/**
	 * Removes the tombstones kept since before a time, raising the horizon to the highest
	 * of them in the same script.
	 */
	private int expire(long cutoff, Instant keptBefore) {
		Set<String> kept = this.redis.opsForZSet().rangeByScore(tombstonesKey(), Double.NEGATIVE_INFINITY,
				keptBefore.toEpochMilli());
		List<Long> expired = new ArrayList<>();
		if (kept != null) {
			kept.stream().map(Long::parseLong).filter((id) -> id <= cutoff).sorted().forEach(expired::add);
		}
		for (int i = 0; i < expired.size(); i += RECORDS_PER_SCRIPT) {
			List<String> arguments = new ArrayList<>();
			arguments.add(this.prefix);
			expired.subList(i, Math.min(expired.size(), i + RECORDS_PER_SCRIPT))
				.forEach((id) -> arguments.add(Long.toString(id)));
			this.redis.execute(EXPIRE_SCRIPT,
					List.of(scribesKey(), everyoneKey(), blockedKey(), tombstonesKey(), this.prefix + "horizon"),
					arguments.toArray());
		}
		return expired.size();
	}

	private String scribesKey() {
		return this.prefix + "scribes";
	}

	private String everyoneKey() {
		return this.prefix + "everyone";
	}

	private String blockedKey() {
		return this.prefix + "blocked";
	}

	private String tombstonesKey() {
		return this.prefix + "tombstones";
	}

	private String turnKey() {
		return this.prefix + "compaction";
	}

}

package io.syncro.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.syncro.protocol.MessageCodec;
import io.syncro.store.ClientStore;
import io.syncro.store.Refusal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * A {@link ClientStore} kept in Redis, shared by every node that uses the same server and
 * key namespace. Works through Spring Data Redis on Lettuce.
 * <p>
 * The keys, shown with the default namespace {@code syncro} as the commands that write
 * them, for the uid {@code alice}:
 * <pre class="code">
 * HSET syncro:client:alice mark 12                  -- the mark, by compare-and-set (below)
 * HSET syncro:client:alice synced 1                 -- once fully up to date
 * HSET syncro:client:alice principal "Alice Liddell" bound 1767225600000   -- bound once, never changed
 * ZADD syncro:refusals:alice 12 '{"scribe":12,"code":403,"message":"Not yours."}'
 * ZREMRANGEBYRANK syncro:refusals:alice 0 -1001     -- keeps the newest 1000 refusals
 * ZADD "syncro:clients-of:Alice Liddell" 1767225600000 alice   -- a principal's uids, by when bound
 * ZADD syncro:clients-seen GT 1767225600000 alice   -- every uid, by when last seen
 * SET syncro:client-expiry 5f1c… NX PX 600000       -- the lease of the node expiring uids
 * </pre>
 * A mark moves with one Lua script that compares and sets it and remembers the refusal
 * of the scribe it settles, if any, so nodes moving the same mark at once settle each
 * scribe exactly once; binding a principal is a script too, and so is forgetting an
 * expired uid, which deletes its hash and refusals and takes it out of both sorted sets
 * only if it was still unseen since the cut-off. A refusal is found with
 * {@code ZRANGEBYSCORE syncro:refusals:alice 12 12}, a principal's uids bound in the last
 * hour with {@code ZCOUNT}, the uids to expire with
 * {@code ZRANGEBYSCORE syncro:clients-seen -inf (cutoff LIMIT 0 500}. Uids may hold
 * {@code :}: no key kind ends where another begins, so no two uids share a key.
 * <p>
 * Redis cannot join the application's database transaction, as PROTOCOL.md section 4
 * asks of the mark where the store allows. The next best: when {@link #advanceMark}
 * runs in a Spring-managed transaction, it moves the mark at once, so that nodes still
 * race on it, and moves it back if that transaction rolls back (unless the mark moved
 * on meanwhile), so that a change that was not committed is not answered as settled
 * when the client resends it. When the outcome of the commit is unknown the mark stays
 * and a warning is logged.
 * <p>
 * Times are epoch milliseconds. Hashes written before uids had a last-seen time are not
 * in {@code clients-seen} until their uid connects again.
 *
 * @since 0.1.0
 */
public final class RedisClientStore implements ClientStore {

	/**
	 * Moves a mark. KEYS: the uid's hash, its refusals, every uid by when seen. ARGV: the
	 * expected mark, the next one, the refusal's member ('' if none), the number of
	 * refusals kept, now, the uid. Returns 1 if moved, 0 if the mark was not the expected
	 * one.
	 */
	static final RedisScript<Long> ADVANCE_MARK_SCRIPT = RedisScript.of("""
			if (redis.call('HGET', KEYS[1], 'mark') or '0') ~= ARGV[1] then
				return 0
			end
			redis.call('HSET', KEYS[1], 'mark', ARGV[2])
			if ARGV[3] ~= '' then
				redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
				redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -1 - tonumber(ARGV[4]))
			end
			redis.call('ZADD', KEYS[3], 'NX', ARGV[5], ARGV[6])
			return 1
			""", Long.class);

	/**
	 * Records that a uid synced. KEYS: the uid's hash, every uid by when seen. ARGV: now,
	 * the uid.
	 */
	static final RedisScript<Long> MARK_SYNCED_SCRIPT = RedisScript.of("""
			redis.call('HSET', KEYS[1], 'synced', '1')
			redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[2])
			return 1
			""", Long.class);

	/**
	 * Moves a mark back after its transaction rolled back. KEYS: the uid's hash, its
	 * refusals. ARGV: the mark to undo, the mark before it, the refusal's member ('' if
	 * none). Returns 1 if moved back, 0 if the mark had moved on.
	 */
	static final RedisScript<Long> UNDO_MARK_SCRIPT = RedisScript.of("""
			if (redis.call('HGET', KEYS[1], 'mark') or '0') ~= ARGV[1] then
				return 0
			end
			redis.call('HSET', KEYS[1], 'mark', ARGV[2])
			if ARGV[3] ~= '' then
				redis.call('ZREM', KEYS[2], ARGV[3])
			end
			return 1
			""", Long.class);

	/**
	 * Binds a principal unless another one is bound. KEYS: the uid's hash, the
	 * principal's uids, every uid by when seen. ARGV: the principal, now, the uid. Returns
	 * 1 if the uid is now bound to it, 0 if to another one.
	 */
	static final RedisScript<Long> BIND_PRINCIPAL_SCRIPT = RedisScript.of("""
			local bound = redis.call('HGET', KEYS[1], 'principal')
			if not bound then
				redis.call('HSET', KEYS[1], 'principal', ARGV[1], 'bound', ARGV[2])
				redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
				redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[3])
				return 1
			end
			if bound == ARGV[1] then
				return 1
			end
			return 0
			""", Long.class);

	/**
	 * Records that a uid connected: binds it unless it is bound to another principal (or
	 * to any, for an anonymous client), and sets when it was seen. KEYS: the uid's hash,
	 * the principal's uids (unused when anonymous), every uid by when seen. ARGV: the
	 * principal ('' when anonymous), '1' when anonymous, now, the uid. Returns 1 if
	 * connected, 0 if the uid is another's.
	 */
	static final RedisScript<Long> CONNECTED_SCRIPT = RedisScript.of("""
			local bound = redis.call('HGET', KEYS[1], 'principal')
			if ARGV[2] == '1' then
				if bound then
					return 0
				end
				redis.call('HSETNX', KEYS[1], 'mark', '0')
			else
				if bound and bound ~= ARGV[1] then
					return 0
				end
				if not bound then
					redis.call('HSET', KEYS[1], 'principal', ARGV[1], 'bound', ARGV[3])
					redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
				end
			end
			redis.call('ZADD', KEYS[3], 'GT', ARGV[3], ARGV[4])
			return 1
			""", Long.class);

	/**
	 * Moves when uids were seen, for those known. KEYS: every uid by when seen. ARGV:
	 * now, then the uids.
	 */
	static final RedisScript<Long> TOUCH_SCRIPT = RedisScript.of("""
			for i = 2, #ARGV do
				redis.call('ZADD', KEYS[1], 'XX', 'GT', ARGV[1], ARGV[i])
			end
			return 1
			""", Long.class);

	/**
	 * Forgets a uid if it is still unseen since a cut-off and still bound as read before.
	 * KEYS: the uid's hash, its refusals, every uid by when seen, the principal's uids
	 * (unused when unbound). ARGV: the uid, the cut-off, the principal read before ('' if
	 * none). Returns 1 if forgotten, 0 if seen since, -1 if bound since.
	 */
	static final RedisScript<Long> EXPIRE_SCRIPT = RedisScript.of("""
			local seen = redis.call('ZSCORE', KEYS[3], ARGV[1])
			if not seen or tonumber(seen) >= tonumber(ARGV[2]) then
				return 0
			end
			local bound = redis.call('HGET', KEYS[1], 'principal') or ''
			if bound ~= ARGV[3] then
				return -1
			end
			redis.call('DEL', KEYS[1], KEYS[2])
			redis.call('ZREM', KEYS[3], ARGV[1])
			if bound ~= '' then
				redis.call('ZREM', KEYS[4], ARGV[1])
			end
			return 1
			""", Long.class);

	/**
	 * Ends a lease if it is still the caller's. KEYS: the lease. ARGV: the caller's token.
	 */
	static final RedisScript<Long> RELEASE_SCRIPT = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
				return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	/** How many uids are looked at, or touched, at once. */
	private static final int BATCH = 500;

	/**
	 * How long a node may expire uids before another may start as well: a node that dies
	 * while expiring holds no one up for longer.
	 */
	private static final Duration EXPIRY_LEASE = Duration.ofMinutes(10);

	private static final Logger logger = LoggerFactory.getLogger(RedisClientStore.class);

	private static final String MARK = "mark";

	private static final String SYNCED = "synced";

	private static final String PRINCIPAL = "principal";

	private final StringRedisTemplate redis;

	private final String namespace;

	/**
	 * Creates a store on the given Redis with keys in the namespace {@code syncro}.
	 * @param connectionFactory the connections to Redis
	 */
	public RedisClientStore(RedisConnectionFactory connectionFactory) {
		this(connectionFactory, RedisScribeLog.DEFAULT_NAMESPACE);
	}

	/**
	 * Creates a store on the given Redis.
	 * @param connectionFactory the connections to Redis
	 * @param namespace the start of every key name, such as {@code syncro}
	 */
	public RedisClientStore(RedisConnectionFactory connectionFactory, String namespace) {
		Assert.notNull(connectionFactory, "RedisConnectionFactory must not be null");
		this.namespace = RedisScribeLog.checkedNamespace(namespace);
		this.redis = new StringRedisTemplate(connectionFactory);
	}

	@Override
	public long mark(String client) {
		Assert.notNull(client, "Client must not be null");
		Object mark = this.redis.opsForHash().get(clientKey(client), MARK);
		return (mark != null) ? Long.parseLong((String) mark) : 0;
	}

	@Override
	public boolean advanceMark(String client, long expected, long next, @Nullable Refusal refusal) {
		Assert.notNull(client, "Client must not be null");
		if (next <= expected) {
			throw new IllegalArgumentException("The next mark " + next + " must be above the expected " + expected);
		}
		String member = (refusal != null) ? refusalMember(next, refusal) : "";
		List<String> keys = List.of(clientKey(client), refusalsKey(client));
		Long moved = this.redis.execute(ADVANCE_MARK_SCRIPT, List.of(clientKey(client), refusalsKey(client), seenKey()),
				Long.toString(expected), Long.toString(next), member, Integer.toString(REFUSALS_KEPT), now(), client);
		if (moved == null || moved == 0) {
			return false;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager
				.registerSynchronization(new UndoMarkOnRollback(client, keys, expected, next, member));
		}
		return true;
	}

	private static String refusalMember(long scribeId, Refusal refusal) {
		ObjectNode member = JsonNodeFactory.instance.objectNode();
		member.put("scribe", scribeId);
		member.put("code", refusal.code());
		member.put("message", refusal.message());
		return MessageCodec.writeTree(member);
	}

	@Override
	public long forgottenBelow(String client) {
		Assert.notNull(client, "Client must not be null");
		Long kept = this.redis.opsForZSet().zCard(refusalsKey(client));
		if (kept == null || kept < REFUSALS_KEPT) {
			return 0;
		}
		Set<ZSetOperations.TypedTuple<String>> oldest = this.redis.opsForZSet().rangeWithScores(refusalsKey(client), 0, 0);
		return (oldest == null || oldest.isEmpty()) ? 0 : oldest.iterator().next().getScore().longValue();
	}

	@Override
	public Optional<Refusal> refusal(String client, long scribeId) {
		Assert.notNull(client, "Client must not be null");
		Set<String> members = this.redis.opsForZSet().rangeByScore(refusalsKey(client), scribeId, scribeId);
		if (members == null) {
			return Optional.empty();
		}
		for (String member : members) {
			JsonNode json = MessageCodec.readTree(member);
			// Scores are doubles: beyond 2^53 a neighbour can share the score.
			if (json.path("scribe").asLong() == scribeId) {
				return Optional.of(new Refusal(json.path("code").asInt(), json.path("message").asString("")));
			}
		}
		return Optional.empty();
	}

	@Override
	public boolean isSynced(String client) {
		Assert.notNull(client, "Client must not be null");
		return "1".equals(this.redis.opsForHash().get(clientKey(client), SYNCED));
	}

	@Override
	public void markSynced(String client) {
		Assert.notNull(client, "Client must not be null");
		this.redis.execute(MARK_SYNCED_SCRIPT, List.of(clientKey(client), seenKey()), now(), client);
	}

	@Override
	public Optional<String> principal(String client) {
		Assert.notNull(client, "Client must not be null");
		return Optional.ofNullable((String) this.redis.opsForHash().get(clientKey(client), PRINCIPAL));
	}

	@Override
	public boolean bindPrincipal(String client, String principal) {
		Assert.notNull(client, "Client must not be null");
		Assert.notNull(principal, "Principal must not be null");
		Long bound = this.redis.execute(BIND_PRINCIPAL_SCRIPT,
				List.of(clientKey(client), clientsOfKey(principal), seenKey()), principal, now(), client);
		return bound != null && bound == 1;
	}

	@Override
	public boolean connected(String client, @Nullable String principal, Instant now) {
		Assert.notNull(client, "Client must not be null");
		Assert.notNull(now, "Now must not be null");
		List<String> keys = List.of(clientKey(client), (principal != null) ? clientsOfKey(principal) : seenKey(),
				seenKey());
		Long connected = this.redis.execute(CONNECTED_SCRIPT, keys, (principal != null) ? principal : "",
				(principal != null) ? "0" : "1", Long.toString(now.toEpochMilli()), client);
		return connected != null && connected == 1;
	}

	@Override
	public boolean isKnown(String client) {
		Assert.notNull(client, "Client must not be null");
		return Boolean.TRUE.equals(this.redis.hasKey(clientKey(client)));
	}

	@Override
	public int clientsOf(String principal) {
		Assert.notNull(principal, "Principal must not be null");
		Long count = this.redis.opsForZSet().zCard(clientsOfKey(principal));
		return (count != null) ? count.intValue() : 0;
	}

	@Override
	public int clientsBoundSince(String principal, Instant since) {
		Assert.notNull(principal, "Principal must not be null");
		Long count = this.redis.opsForZSet()
			.count(clientsOfKey(principal), since.toEpochMilli(), Double.POSITIVE_INFINITY);
		return (count != null) ? count.intValue() : 0;
	}

	@Override
	public Optional<Instant> lastSeen(String client) {
		Assert.notNull(client, "Client must not be null");
		Double seen = this.redis.opsForZSet().score(seenKey(), client);
		return (seen != null) ? Optional.of(Instant.ofEpochMilli(seen.longValue())) : Optional.empty();
	}

	@Override
	public void touch(Collection<String> clients, Instant now) {
		Assert.notNull(clients, "Clients must not be null");
		List<String> uids = List.copyOf(clients);
		for (int from = 0; from < uids.size(); from += BATCH) {
			List<String> args = new ArrayList<>();
			args.add(Long.toString(now.toEpochMilli()));
			args.addAll(uids.subList(from, Math.min(uids.size(), from + BATCH)));
			this.redis.execute(TOUCH_SCRIPT, List.of(seenKey()), args.toArray());
		}
	}

	@Override
	public int expire(Instant seenBefore) {
		Assert.notNull(seenBefore, "SeenBefore must not be null");
		String token = UUID.randomUUID().toString();
		if (!Boolean.TRUE.equals(this.redis.opsForValue().setIfAbsent(expiryKey(), token, EXPIRY_LEASE))) {
			return 0;
		}
		try {
			long cutoff = seenBefore.toEpochMilli();
			int expired = 0;
			while (true) {
				Set<String> candidates = this.redis.opsForZSet()
					.rangeByScore(seenKey(), Double.NEGATIVE_INFINITY, Math.nextDown((double) cutoff), 0, BATCH);
				int expiredNow = 0;
				for (String client : (candidates != null) ? candidates : Set.<String>of()) {
					String principal = (String) this.redis.opsForHash().get(clientKey(client), PRINCIPAL);
					List<String> keys = List.of(clientKey(client), refusalsKey(client), seenKey(),
							(principal != null) ? clientsOfKey(principal) : seenKey());
					Long result = this.redis.execute(EXPIRE_SCRIPT, keys, client, Long.toString(cutoff),
							(principal != null) ? principal : "");
					if (result != null && result == 1) {
						expiredNow++;
					}
				}
				expired += expiredNow;
				if (candidates == null || candidates.size() < BATCH || expiredNow == 0) {
					return expired;
				}
			}
		}
		finally {
			this.redis.execute(RELEASE_SCRIPT, List.of(expiryKey()), token);
		}
	}

	private static String now() {
		return Long.toString(System.currentTimeMillis());
	}

	@Override
	public String toString() {
		return "RedisClientStore[" + this.namespace + "]";
	}

	// Keys, one method per kind

	private String clientKey(String client) {
		return this.namespace + ":client:" + client;
	}

	private String refusalsKey(String client) {
		return this.namespace + ":refusals:" + client;
	}

	private String clientsOfKey(String principal) {
		return this.namespace + ":clients-of:" + principal;
	}

	private String seenKey() {
		return this.namespace + ":clients-seen";
	}

	private String expiryKey() {
		return this.namespace + ":client-expiry";
	}

	/**
	 * Moves a mark back when the transaction it was moved in rolls back.
	 */
	private final class UndoMarkOnRollback implements TransactionSynchronization {

		private final String client;

		private final List<String> keys;

		private final long expected;

		private final long next;

		private final String member;

		UndoMarkOnRollback(String client, List<String> keys, long expected, long next, String member) {
			this.client = client;
			this.keys = keys;
			this.expected = expected;
			this.next = next;
			this.member = member;
		}

		@Override
		public void afterCompletion(int status) {
			if (status == STATUS_UNKNOWN) {
				logger.warn("The transaction that settled scribe {} of {} ended in an unknown state; the mark stays at {}",
						this.next, this.client, this.next);
				return;
			}
			if (status != STATUS_ROLLED_BACK) {
				return;
			}
			try {
				Long undone = RedisClientStore.this.redis.execute(UNDO_MARK_SCRIPT, this.keys, Long.toString(this.next),
						Long.toString(this.expected), this.member);
				if (undone == null || undone == 0) {
					logger.warn("The transaction that settled scribe {} of {} rolled back after the mark moved on; "
							+ "the mark stays", this.next, this.client);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("The transaction that settled scribe {} of {} rolled back, but the mark could not be "
						+ "moved back", this.next, this.client, ex);
			}
		}

	}

}

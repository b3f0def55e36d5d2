package io.syncro.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Reader;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Compaction;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeLog;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * A {@link ScribeLog} kept in Redis, shared by every node that uses the same server and
 * key namespace. Works through Spring Data Redis on Lettuce.
 * <p>
 * The keys, shown with the default namespace {@code syncro} as the commands that write
 * them. One append of scribe 17, for every client but alice, from bob, and scribe 18,
 * for carol and dave only, from dave, and scribe 19, for every client of the user erin
 * but her phone:
 * <pre class="code">
 * INCRBY  syncro:log:last-id 3                  -- the id counter: this append gets 17 to 19
 * HSET    syncro:log:scribes 17 '{"klass":"Todo","type":"update","data":["7f0c",{"done":true}],
 *                                 "origin":"bob","everyone":true,"clients":["alice"]}'
 * HSET    syncro:log:blocked 17 '["=bob","alice"]'   -- who a scribe does not reach: the keys
 *                                               -- left out, and (=uid) its origin unless the
 *                                               -- reader takes its own scribes (protocol v2)
 * ZADD    syncro:log:everyone 17 17             -- ids of the scribes for every client but some
 * HSET    syncro:log:scribes 18 '{"klass":"Todo","type":"destroy","data":["7f0c"],
 *                                 "origin":"dave","everyone":false,"clients":["carol","dave"]}'
 * HSET    syncro:log:blocked 18 '["=dave"]'
 * ZADD    syncro:log:client:carol 18 18         -- ids of the scribes for only some, one sorted
 * ZADD    syncro:log:client:dave 18 18          -- set per key meant: a uid, a user (@erin),
 * HSET    syncro:log:scribes 19 '{…,"everyone":false,"clients":["!erin-phone","@erin"]}'
 * HSET    syncro:log:blocked 19 '["erin-phone"]'  -- an authority (~ROLE_ADMIN) or a pair of them
 * ZADD    syncro:log:client:@erin 19 19
 * SET     syncro:log:append:&lt;uuid&gt; 19 PX 600000  -- this append's outcome, kept ten minutes
 * SET     syncro:log:relayed '41,42'            -- a relayed append only: the outbox positions
 *                                               -- of the transactions it appended
 * PUBLISH syncro:log:appended 19                -- wakes the readers of every node
 * SET     syncro:log:epoch &lt;uuid&gt; NX          -- the history the log holds, set once (epoch())
 * </pre>
 * Appends before version 0.2 left a scribe's origin out of the sets of its keys and kept
 * those that reach it in {@code syncro:log:own:<uid>}; readers still read that set.
 * A scribe's body keeps its recipients and origin, so the log describes itself. A read
 * for a client of carol's after position 16 merges, in id order,
 * <pre class="code">
 * ZRANGEBYSCORE syncro:log:client:&lt;key&gt; (16 +inf LIMIT 0 &lt;limit&gt;   -- for each of the reader's keys
 * HMGET         syncro:log:blocked &lt;those ids&gt;                     -- less those that do not reach it
 * ZRANGEBYSCORE syncro:log:everyone (16 +inf LIMIT 0 &lt;chunk&gt;   -- chunk after chunk, less the ids
 * HMGET         syncro:log:blocked &lt;chunk's ids&gt;                 -- that do not reach it
 * HMGET         syncro:log:scribes &lt;the ids of the answer&gt;
 * </pre>
 * {@link #entries}, what a node reads once for all of its sessions, needs no index: it
 * is {@code HMGET syncro:log:scribes 17 18 …} up to the counter, passing over the ids
 * that {@link #compact compaction} ({@link RedisLogCompaction}) removed. And
 * {@link #lastId} walks {@code syncro:log:everyone} down from the top with
 * {@code ZREVRANGEBYSCORE} to the first id that reaches the client, above the highest
 * id that reaches it in the sets of its keys.
 * <p>
 * An append is one Lua script, and so is each step of a read or of {@code lastId}, and
 * Redis runs a script alone: ids are drawn, scribes stored and indexed, and the append
 * announced, all at once. So the scribes of an append get consecutive ids and appear together, and a
 * reader that has seen id N never later finds a new scribe below N, whichever node
 * appended it (PROTOCOL.md section 4). So that no script holds Redis long, one read
 * script returns at most 1000 scribes and looks at no more than 10,000 ids for
 * everyone; a larger read takes more scripts, each going on where the one before
 * stopped. A {@code sync} answer of 500 is one round trip, unless the reader is left out
 * of thousands of scribes in a row.
 * <p>
 * Listeners are told after every append made through this instance and, from the first
 * {@link #addListener} until {@link #close()}, after the appends of other nodes, learnt
 * by subscribing to {@code syncro:log:appended} on a connection of its own. Lettuce
 * resubscribes after a lost connection; each time it does, the listeners are told of
 * the current last id, since announcements made meanwhile were lost. A notification
 * only wakes readers, which read the log from their own position, so a lost one delays
 * delivery but loses nothing.
 * <p>
 * Failures are not hidden: while Redis cannot be reached, every call throws Spring's
 * {@code DataAccessException}, at the latest once the connection factory's command
 * timeout has passed. Lettuce sends a command again after reconnecting when its
 * connection broke before the reply; as each append carries a random token and the
 * script answers a second run of a token (within ten minutes) with the first run's ids,
 * such an append is logged once. An append that throws is never half done, yet it may
 * be in the log when the connection broke after Redis ran it: its scribes then reach
 * the clients although the caller was told of a failure, and nothing is lost. Ids must
 * survive a restart of Redis: run it with persistence (an append-only file,
 * {@code appendfsync always} or {@code everysec}), as a log that forgets restarts its
 * ids below the clients' positions. Ids are exact up to 2<sup>53</sup>, the integers
 * of Lua's numbers.
 * <p>
 * Costs, for a log of n scribes: an append of k scribes is O(k log n) plus its listed
 * recipients; a read is O(log n) per chunk and linear in the scribes it passes over,
 * those for everyone that leave the reader out (such as the reader's own) included; so
 * is {@link #lastId}, for those above its answer. Memory grows with the log unless it is
 * compacted, and holds a small key per append of the last ten minutes.
 *
 * @since 0.1.0
 */
public final class RedisScribeLog implements ScribeLog, AutoCloseable {

	/** The key namespace used unless another is given. */
	public static final String DEFAULT_NAMESPACE = "syncro";

	/**
	 * What the read scripts share: {@code reaches(blocked)}, whether a scribe with that
	 * blocked list (JSON, or nil for none) reaches the reader: none of its keys is left out
	 * and, unless the reader takes its own scribes, its origin ({@code =uid}) is not the
	 * reader; and {@code reaching(ids, known)}, those of some ids that reach the reader, in
	 * order, the ids {@code known} to reach it (those of its own set) taken as they are.
	 * ARGV: the client first, and its last two: whether it takes its own scribes, and its
	 * keys as JSON. Each script sets {@code BLOCKED} to the key of the blocked lists first.
	 */
	private static final String REACHES = """
			local own, mine = ARGV[#ARGV - 1] == '1', {}
			for _, key in ipairs(cjson.decode(ARGV[#ARGV])) do
				mine[key] = true
			end
			local origin = '=' .. ARGV[1]
			local function reaches(blocked)
				if not blocked then
					return true
				end
				for _, key in ipairs(cjson.decode(blocked)) do
					if mine[key] or (not own and key == origin) then
						return false
					end
				end
				return true
			end
			-- the own set of a v2 reader (appends of 0.1) holds only scribes that reach it
			local trusted = own and #KEYS or 0
			local function reaching(ids, known)
				local found = {}
				for first = 1, #ids, 500 do
					local chunk = {}
					for i = first, math.min(first + 499, #ids) do
						chunk[#chunk + 1] = ids[i]
					end
					local blocked = redis.call('HMGET', BLOCKED, unpack(chunk))
					for i = 1, #chunk do
						if (known and known[chunk[i]]) or reaches(blocked[i]) then
							found[#found + 1] = chunk[i]
						end
					end
				end
				return found
			end
			""";

	/**
	 * Appends the scribes and announces the last id, once per token. KEYS: the counter,
	 * the bodies, the ids for everyone, the blocked lists, the token, the positions of the
	 * last relayed append, then the sets of the listed clients of each scribe in turn.
	 * ARGV: the channel, the number of scribes, how long to keep the token in
	 * milliseconds, the positions the last relayed append must have left ('-' when this is
	 * not a relayed append), the positions to leave, then for each scribe its body, its
	 * blocked list ('' if none) and the number of its listed keys (-1 when it is for
	 * everyone). Returns the last id, or -1 when the last relayed positions were not the
	 * ones expected.
	 */
	static final RedisScript<Long> APPEND_SCRIPT = RedisScript.of("""
			local done = redis.call('GET', KEYS[5])
			if done then
				return tonumber(done)
			end
			if ARGV[4] ~= '-' then
				if (redis.call('GET', KEYS[6]) or '') ~= ARGV[4] then
					return -1
				end
				redis.call('SET', KEYS[6], ARGV[5])
			end
			local count = tonumber(ARGV[2])
			local last = redis.call('INCRBY', KEYS[1], count)
			local key = 7
			for i = 1, count do
				local id = last - count + i
				redis.call('HSET', KEYS[2], id, ARGV[3 * i + 3])
				if ARGV[3 * i + 4] ~= '' then
					redis.call('HSET', KEYS[4], id, ARGV[3 * i + 4])
				end
				local listed = tonumber(ARGV[3 * i + 5])
				if listed < 0 then
					redis.call('ZADD', KEYS[3], id, id)
				else
					for j = 1, listed do
						redis.call('ZADD', KEYS[key], id, id)
						key = key + 1
					end
				end
			end
			redis.call('SET', KEYS[5], last, 'PX', ARGV[3])
			if count > 0 then
				redis.call('PUBLISH', ARGV[1], last)
			end
			return last
			""", Long.class);

	/**
	 * Reads the scribes of every client after a position: the bodies from the position on,
	 * skipping the ids compaction removed. KEYS: the counter, the bodies. ARGV: the
	 * position, the limit, the most ids to look at. Returns a cursor, then id, body, id,
	 * body, … oldest first; the cursor is the last id looked at, or '' once the counter
	 * was reached.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final RedisScript<List<String>> ENTRIES_SCRIPT = (RedisScript) RedisScript.of("""
			local head = tonumber(redis.call('GET', KEYS[1]) or '0')
			local after, limit, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
			local reply, found, id = { '' }, 0, after
			while id < head and found < limit and id - after < budget do
				local ids = {}
				for i = id + 1, math.min(head, id + 500) do
					ids[#ids + 1] = i
				end
				local bodies = redis.call('HMGET', KEYS[2], unpack(ids))
				for i = 1, #ids do
					id = ids[i]
					if bodies[i] then
						reply[#reply + 1] = tostring(id)
						reply[#reply + 1] = bodies[i]
						found = found + 1
						if found == limit then
							break
						end
					end
				end
			end
			if id < head then
				reply[1] = tostring(id)
			end
			return reply
			""", List.class);

	/**
	 * Reads the scribes meant for a client after a position. KEYS: the bodies, the ids
	 * for everyone, the blocked lists, the sets of the reader's keys, and for a reader that
	 * takes its own scribes too, its own set (of scribes appended before version 0.2).
	 * ARGV: the client, the position, the limit (at most 1000), the most ids for everyone
	 * to look at, whether the reader takes its own scribes ('1' or '0'), its keys as a
	 * JSON array. Returns a cursor, then id, body, id, body, … oldest first. The cursor is
	 * '' when the answer is complete; otherwise the look-up stopped at that id, and a page
	 * that is not full goes on after the cursor, not after its last id.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final RedisScript<List<String>> READ_SCRIPT = (RedisScript) RedisScript.of("local BLOCKED = KEYS[3]\n" + REACHES + """
			local limit, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
			local function numeric(a, b) return tonumber(a) < tonumber(b) end
			-- The listed ids of every set up to the lowest top of a set that filled a page:
			-- above it, a set may hold ids not looked at.
			local seen, listed, known, fromOwn = {}, {}, nil, {}
			for k = 4, #KEYS do
				local ids = redis.call('ZRANGEBYSCORE', KEYS[k], '(' .. ARGV[2], '+inf', 'LIMIT', 0, limit)
				if #ids == limit and (known == nil or tonumber(ids[limit]) < tonumber(known)) then
					known = ids[limit]
				end
				for i = 1, #ids do
					if not seen[ids[i]] then
						seen[ids[i]] = true
						listed[#listed + 1] = ids[i]
					end
					if k == trusted then
						fromOwn[ids[i]] = true
					end
				end
			end
			local kept = {}
			for i = 1, #listed do
				if known == nil or tonumber(listed[i]) <= tonumber(known) then
					kept[#kept + 1] = listed[i]
				end
			end
			listed = reaching(kept, fromOwn)
			table.sort(listed, numeric)
			while #listed > limit do
				table.remove(listed)
			end
			-- Past a full page of listed ids, no id for everyone can make the answer.
			local upper = '+inf'
			if #listed == limit then
				upper = listed[limit]
			elseif known ~= nil then
				upper = known
			end
			local everyone, from, scanned, cursor = {}, '(' .. ARGV[2], 0, ''
			while #everyone < limit do
				local wanted = math.min(math.max(limit - #everyone, 16), 1000)
				local ids = redis.call('ZRANGEBYSCORE', KEYS[2], from, upper, 'LIMIT', 0, wanted)
				if #ids == 0 then
					break
				end
				local blocked = redis.call('HMGET', KEYS[3], unpack(ids))
				for i = 1, #ids do
					if reaches(blocked[i]) then
						everyone[#everyone + 1] = ids[i]
						if #everyone == limit then
							break
						end
					end
				end
				scanned = scanned + #ids
				if #ids < wanted or #everyone == limit then
					break
				end
				if scanned >= budget then
					-- Ids above the cursor are unknown yet: leave out the listed ones too.
					cursor = ids[#ids]
					local below = {}
					for i = 1, #listed do
						if tonumber(listed[i]) < tonumber(cursor) then
							below[#below + 1] = listed[i]
						end
					end
					listed = below
					break
				end
				from = '(' .. ids[#ids]
			end
			if cursor == '' and known ~= nil and #listed < limit then
				cursor = known
			end
			local ids, l, e = {}, 1, 1
			while #ids < limit and (l <= #listed or e <= #everyone) do
				if e > #everyone or (l <= #listed and tonumber(listed[l]) < tonumber(everyone[e])) then
					ids[#ids + 1] = listed[l]
					l = l + 1
				else
					ids[#ids + 1] = everyone[e]
					e = e + 1
				end
			end
			if #ids == limit then
				cursor = ''
			end
			local result = { cursor }
			for first = 1, #ids, 500 do
				local chunk = {}
				for i = first, math.min(first + 499, #ids) do
					chunk[#chunk + 1] = ids[i]
				end
				local bodies = redis.call('HMGET', KEYS[1], unpack(chunk))
				for i = 1, #chunk do
					result[#result + 1] = chunk[i]
					result[#result + 1] = bodies[i]
				end
			end
			return result
			""", List.class);

	/**
	 * The highest id a read could return to a client. KEYS: the ids for everyone, the
	 * blocked lists, the sets of the reader's keys, and for a reader that takes its own
	 * scribes too, its own set. ARGV: the client, where to start looking down ('+inf' or
	 * '(' and an id), the most ids for everyone to look at, whether the reader takes its
	 * own scribes, its keys as a JSON array. Returns the id, 0 if there is none, or minus
	 * the id to go on below when the look-up stopped early.
	 */
	static final RedisScript<Long> LAST_ID_SCRIPT = RedisScript.of("local BLOCKED = KEYS[2]\n" + REACHES + """
			local upper, budget = ARGV[2], tonumber(ARGV[3])
			-- ids as strings: Lua's numbers print with 14 digits
			local best = '0'
			for k = 3, #KEYS do
				local top = '+inf'
				while true do
					local ids = redis.call('ZREVRANGEBYSCORE', KEYS[k], top, '(' .. best, 'LIMIT', 0, 100)
					if #ids == 0 then
						break
					end
					local found = (k == trusted) and ids or reaching(ids)
					if #found > 0 then
						best = found[1]
						break
					end
					if #ids < 100 then
						break
					end
					top = '(' .. ids[#ids]
				end
			end
			local floor, scanned = '(' .. best, 0
			while true do
				local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], upper, floor, 'LIMIT', 0, 100)
				if #ids == 0 then
					break
				end
				local blocked = redis.call('HMGET', KEYS[2], unpack(ids))
				for i = 1, #ids do
					if reaches(blocked[i]) then
						return tonumber(ids[i])
					end
				end
				if #ids < 100 then
					break
				end
				scanned = scanned + #ids
				if scanned >= budget then
					return -tonumber(ids[#ids])
				end
				upper = '(' .. ids[#ids]
			end
			return tonumber(best)
			""", Long.class);

	private static final Logger logger = LoggerFactory.getLogger(RedisScribeLog.class);

	/** The most scribes one read script returns, so that no script holds Redis long. */
	private static final int SCRIBES_PER_READ = 1000;

	/**
	 * The most ids for everyone one script looks at, so that no script holds Redis long
	 * when a reader is left out of many scribes in a row (its own, say).
	 */
	static final int SCAN_BUDGET = 10_000;

	private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);

	/** How long an append's outcome is kept for a resend of it: longer than a sensible command timeout. */
	private static final Duration TOKEN_KEPT = Duration.ofMinutes(10);

	/** Passed as the expected relayed positions by an append that is not relayed. */
	private static final String NOT_RELAYED = "-";

	private static final int RELAY_ATTEMPTS = 3;

	private final RedisConnectionFactory connectionFactory;

	private final StringRedisTemplate redis;

	private final String namespace;

	private final RedisLogCompaction compaction;

	private final List<AppendListener> listeners = new CopyOnWriteArrayList<>();

	/** The positions this node's last relayed append left; {@code null} until it made one. */
	private volatile @Nullable String lastRelayed;

	/** The highest id listeners were told about, so that no append is told twice. */
	private final AtomicLong lastTold = new AtomicLong();

	/** This node's appends under way: from before the script runs until they are told. */
	private final AtomicInteger appendsUnderWay = new AtomicInteger();

	/** The highest id announced while appends of this node were under way, not yet told. */
	private final AtomicLong heard = new AtomicLong();

	private final Object subscriptionMonitor = new Object();

	/**
	 * Tells listeners about other nodes' appends; created by the first listener. Set under
	 * the monitor, read without it by appends as they end.
	 */
	private volatile @Nullable ScheduledExecutorService events;

	private @Nullable RedisConnection subscriber;

	/** Failed attempts to subscribe since the last success, guarded by the monitor. */
	private int subscribeFailures;

	private boolean closed;

	/**
	 * Creates a log on the given Redis with keys in the namespace {@code syncro}.
	 * @param connectionFactory the connections to Redis
	 */
	public RedisScribeLog(RedisConnectionFactory connectionFactory) {
		this(connectionFactory, DEFAULT_NAMESPACE);
	}

	/**
	 * Creates a log on the given Redis.
	 * @param connectionFactory the connections to Redis
	 * @param namespace the start of every key and channel name, such as {@code syncro}
	 */
	public RedisScribeLog(RedisConnectionFactory connectionFactory, String namespace) {
		Assert.notNull(connectionFactory, "RedisConnectionFactory must not be null");
		this.namespace = checkedNamespace(namespace);
		this.connectionFactory = connectionFactory;
		this.redis = new StringRedisTemplate(connectionFactory);
		this.compaction = new RedisLogCompaction(this, this.redis, this.namespace);
	}

	static String checkedNamespace(String namespace) {
		Assert.hasText(namespace, "Namespace must not be empty");
		Assert.isTrue(namespace.chars().noneMatch(Character::isWhitespace),
				() -> "Namespace must not contain white space: '" + namespace + "'");
		return namespace;
	}

	@Override
	public List<ScribeEntry> append(List<ScribeEntry> entries) {
		Assert.notNull(entries, "Entries must not be null");
		if (entries.isEmpty()) {
			return List.of();
		}
		return appending(() -> told(withIds(entries, append(entries, NOT_RELAYED, NOT_RELAYED))));
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * The positions of the last call are kept in {@code <namespace>:log:relayed}, written
	 * by the append script. The script appends only if they are the ones expected: those
	 * this node's last call left, with no round trip to read them, unless another node
	 * relayed since; then they are read, and the append tried again.
	 */
	@Override
	public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
		Assert.notNull(transactions, "Transactions must not be null");
		if (transactions.isEmpty()) {
			return List.of();
		}
		return appending(() -> appendRelayedNow(transactions));
	}

	private List<ScribeEntry> appendRelayedNow(List<Relayed> transactions) {
		String positions = Relayed.positionsText(transactions);
		String expected = this.lastRelayed;
		int reads = 0;
		while (true) {
			if (expected == null) {
				if (reads++ == RELAY_ATTEMPTS) {
					throw new IllegalStateException("The relayed positions in " + relayedKey()
							+ " kept changing: is more than one relay appending at a time?");
				}
				expected = Objects.requireNonNullElse(this.redis.opsForValue().get(relayedKey()), "");
			}
			Set<Long> skipped = Relayed.positionsOf(expected);
			List<ScribeEntry> entries = new ArrayList<>();
			for (Relayed transaction : transactions) {
				if (!skipped.contains(transaction.position())) {
					entries.addAll(transaction.entries());
				}
			}
			long last = append(entries, expected, positions);
			if (last >= 0) {
				this.lastRelayed = positions;
				return told(withIds(entries, last));
			}
			// The positions are not the ones expected: another node relayed since this
			// one last did, or, once read, this very call ran a second time (Lettuce sends
			// a command again after a broken connection).
			expected = null;
		}
	}

	/**
	 * Runs the append script. Lettuce sends a command again when its connection broke
	 * before the reply: the token makes that second run answer the first one's ids
	 * instead of appending.
	 */
	private long append(List<ScribeEntry> entries, String expectedRelayed, String relayed) {
		int count = entries.size();
		String token = UUID.randomUUID().toString();
		List<String> keys = new ArrayList<>(
				List.of(lastIdKey(), scribesKey(), everyoneKey(), blockedKey(), appendKey(token), relayedKey()));
		List<String> arguments = new ArrayList<>(5 + 3 * count);
		arguments.add(channel());
		arguments.add(Integer.toString(count));
		arguments.add(Long.toString(TOKEN_KEPT.toMillis()));
		arguments.add(expectedRelayed);
		arguments.add(relayed);
		for (ScribeEntry entry : entries) {
			Assert.notNull(entry, "Entries must not contain null");
			ScribeIndex index = ScribeIndex.of(entry);
			index.listed().forEach((key) -> keys.add(clientKey(key)));
			arguments.add(index.body());
			arguments.add(index.blocked());
			arguments.add(index.listedCount());
		}
		Long last = this.redis.execute(APPEND_SCRIPT, keys, arguments.toArray());
		Assert.state(last != null, "The append script returned no id");
		return last;
	}

	private static List<ScribeEntry> withIds(List<ScribeEntry> entries, long last) {
		long first = last - entries.size() + 1;
		List<ScribeEntry> appended = new ArrayList<>(entries.size());
		for (int i = 0; i < entries.size(); i++) {
			appended.add(entries.get(i).copyWithId(first + i));
		}
		return List.copyOf(appended);
	}

	@Override
	public List<Scribe> read(Reader reader, long after, int limit) {
		Assert.notNull(reader, "Reader must not be null");
		if (limit <= 0) {
			return List.of();
		}
		String client = reader.client();
		List<String> keys = new ArrayList<>(List.of(scribesKey(), everyoneKey(), blockedKey()));
		keys.addAll(readerKeys(reader));
		String own = reader.own() ? "1" : "0";
		String mine = MessageCodec.writeTree(ScribeIndex.stringArray(reader.keys()));
		List<Scribe> scribes = new ArrayList<>(Math.min(limit, SCRIBES_PER_READ));
		String budget = Integer.toString(SCAN_BUDGET);
		long position = after;
		while (scribes.size() < limit) {
			int wanted = Math.min(limit - scribes.size(), SCRIBES_PER_READ);
			List<String> reply = this.redis.execute(READ_SCRIPT, keys, client, Long.toString(position),
					Integer.toString(wanted), budget, own, mine);
			Assert.state(reply != null && reply.size() % 2 == 1, "The read script returned no cursor and pairs");
			for (int i = 1; i < reply.size(); i += 2) {
				long id = Long.parseLong(reply.get(i));
				String body = reply.get(i + 1);
				Assert.state(body != null, () -> "Scribe " + id + " is indexed in " + this.namespace + " but has no body");
				scribes.add(scribe(id, body));
				position = id;
			}
			String cursor = reply.get(0);
			if (cursor != null && !cursor.isEmpty()) {
				// the script stopped looking early: everything up to the cursor is known
				position = Long.parseLong(cursor);
			}
			else if (reply.size() / 2 < wanted) {
				break;
			}
		}
		return scribes;
	}

	private static Scribe scribe(long id, String body) {
		return ScribeEntry.fromJson(MessageCodec.readTree(body), id).scribe();
	}

	@Override
	public List<ScribeEntry> entries(long after, int limit) {
		List<ScribeEntry> entries = new ArrayList<>(Math.min(Math.max(limit, 0), SCRIBES_PER_READ));
		String budget = Integer.toString(SCAN_BUDGET);
		long position = after;
		while (entries.size() < limit) {
			int wanted = Math.min(limit - entries.size(), SCRIBES_PER_READ);
			List<String> reply = this.redis.execute(ENTRIES_SCRIPT, List.of(lastIdKey(), scribesKey()),
					Long.toString(position), Integer.toString(wanted), budget);
			Assert.state(reply != null && reply.size() % 2 == 1, "The entries script returned no cursor and pairs");
			for (int i = 1; i < reply.size(); i += 2) {
				long id = Long.parseLong(reply.get(i));
				entries.add(ScribeEntry.fromJson(MessageCodec.readTree(reply.get(i + 1)), id));
			}
			String cursor = reply.get(0);
			if (cursor == null || cursor.isEmpty()) {
				break;
			}
			position = Long.parseLong(cursor);
		}
		return entries;
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Kept under {@code syncro:log:epoch}, set when first asked for: a Redis that restarts
	 * without its data starts a new history, and so does one set back to a snapshot once
	 * {@link #rotateEpoch()} is run.
	 */
	@Override
	public String store() {
		return "redis";
	}

	@Override
	public String epoch() {
		String epoch = this.redis.opsForValue().get(epochKey());
		if (epoch != null) {
			return epoch;
		}
		this.redis.opsForValue().setIfAbsent(epochKey(), UUID.randomUUID().toString());
		epoch = this.redis.opsForValue().get(epochKey());
		Assert.state(epoch != null, "The epoch could not be set");
		return epoch;
	}

	/**
	 * Starts a new history of the log: clients whose positions are of the old one sync
	 * from nothing. Run it after setting Redis back to a snapshot, whose ids the log will
	 * hand out again.
	 */
	public void rotateEpoch() {
		this.redis.opsForValue().set(epochKey(), UUID.randomUUID().toString());
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * One node at a time compacts a log ({@code syncro:log:compaction}, taken with
	 * {@code SET NX PX}); on another node this returns at once, doing nothing.
	 */
	@Override
	public Compaction.Report compact(Compaction compaction, Instant now) {
		return this.compaction.compact(compaction, now);
	}

	@Override
	public boolean isCompactable() {
		return true;
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Kept under {@code syncro:log:horizon}, raised by the same script that removes the
	 * tombstones.
	 */
	@Override
	public long horizon() {
		return this.compaction.horizon();
	}

	@Override
	public long head() {
		String last = this.redis.opsForValue().get(lastIdKey());
		return (last != null) ? Long.parseLong(last) : 0;
	}

	@Override
	public long lastId(Reader reader) {
		Assert.notNull(reader, "Reader must not be null");
		String client = reader.client();
		List<String> keys = new ArrayList<>(List.of(everyoneKey(), blockedKey()));
		keys.addAll(readerKeys(reader));
		String own = reader.own() ? "1" : "0";
		String mine = MessageCodec.writeTree(ScribeIndex.stringArray(reader.keys()));
		String budget = Integer.toString(SCAN_BUDGET);
		String upper = "+inf";
		while (true) {
			Long lastId = this.redis.execute(LAST_ID_SCRIPT, keys, client, upper, budget, own, mine);
			Assert.state(lastId != null, "The last id script returned nothing");
			if (lastId >= 0) {
				return lastId;
			}
			upper = "(" + (-lastId);
		}
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * The first listener starts the subscription to other nodes' appends, waiting until
	 * Redis confirms it; if Redis cannot be reached, it keeps trying in the background.
	 */
	@Override
	public AutoCloseable addListener(AppendListener listener) {
		Assert.notNull(listener, "Listener must not be null");
		this.listeners.add(listener);
		startSubscription();
		return () -> this.listeners.remove(listener);
	}

	private void startSubscription() {
		synchronized (this.subscriptionMonitor) {
			if (this.closed || this.events != null) {
				return;
			}
			String threadName = "syncro-redis-log-" + this.namespace;
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, threadName);
				thread.setDaemon(true);
				return thread;
			});
			this.events = executor;
			subscribe(executor);
		}
	}

	private void subscribe(ScheduledExecutorService executor) {
		synchronized (this.subscriptionMonitor) {
			if (this.closed) {
				return;
			}
			RedisConnection connection = null;
			try {
				connection = this.connectionFactory.getConnection();
				// Lettuce returns once Redis has confirmed the subscription.
				connection.subscribe(new AppendAnnouncements(executor), channel().getBytes(StandardCharsets.UTF_8));
				this.subscriber = connection;
				if (this.subscribeFailures > 0) {
					logger.info("Subscribed to {} after {} failed attempts", channel(), this.subscribeFailures);
					this.subscribeFailures = 0;
				}
			}
			catch (RuntimeException ex) {
				if (connection != null) {
					closeQuietly(connection);
				}
				if (this.subscribeFailures++ == 0) {
					logger.warn("Could not subscribe to {}, so appends of other nodes wake no reader yet; "
							+ "trying again every {}", channel(), RESUBSCRIBE_DELAY, ex);
				}
				else {
					logger.debug("Could not subscribe to {}, trying again in {}", channel(), RESUBSCRIBE_DELAY, ex);
				}
				try {
					executor.schedule(() -> subscribe(executor), RESUBSCRIBE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException closing) {
					// closed meanwhile
				}
			}
		}
	}

	/**
	 * Stops listening to other nodes' appends. Appends, reads and the listeners of this
	 * node's appends still work. Does not close the connection factory.
	 */
	@Override
	public void close() {
		synchronized (this.subscriptionMonitor) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			if (this.subscriber != null) {
				closeQuietly(this.subscriber);
				this.subscriber = null;
			}
			if (this.events != null) {
				this.events.shutdownNow();
				this.events = null;
			}
		}
	}

	private static void closeQuietly(RedisConnection connection) {
		try {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not close the subscription connection", ex);
		}
	}

	/**
	 * Runs an append of this node's. The announcement of an append often arrives before
	 * the script's answer; told first, it would have the listeners read back from Redis
	 * the scribes this node is about to give them. So announcements heard while appends
	 * are under way wait until one ends ({@link #announced}), and are told then, on the
	 * log's thread: for this node's own appends they are told already by then, and
	 * another node's wait at most one append of this node's (also one that failed
	 * after the script ran, whose scribes only its announcement tells of).
	 */
	private List<ScribeEntry> appending(Supplier<List<ScribeEntry>> append) {
		this.appendsUnderWay.incrementAndGet();
		try {
			return append.get();
		}
		finally {
			this.appendsUnderWay.decrementAndGet();
			ScheduledExecutorService executor = this.events;
			if (executor != null && this.heard.get() > this.lastTold.get()) {
				runQuietly(executor, this::tellHeard);
			}
		}
	}

	/**
	 * An append announced on the channel, or the last id read after subscribing: told
	 * now, unless appends of this node are under way.
	 */
	private void announced(long lastId) {
		this.heard.accumulateAndGet(lastId, Math::max);
		if (this.appendsUnderWay.get() == 0) {
			tellHeard();
		}
	}

	private void tellHeard() {
		long lastId = this.heard.getAndSet(0);
		if (lastId > 0) {
			tellIfNew(lastId, null);
		}
	}

	private static void runQuietly(ScheduledExecutorService executor, Runnable task) {
		try {
			executor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/** Tells the listeners about this node's appended entries, unless they know already. */
	private List<ScribeEntry> told(List<ScribeEntry> appended) {
		if (!appended.isEmpty()) {
			tellIfNew(appended.get(appended.size() - 1).id(), appended);
		}
		return appended;
	}

	/**
	 * Tells the listeners about appends up to the given id, unless they know already.
	 * @param lastId the last id appended
	 * @param appended what this node appended, up to that id; {@code null} for others' appends
	 */
	private void tellIfNew(long lastId, @Nullable List<ScribeEntry> appended) {
		if (this.lastTold.getAndAccumulate(lastId, Math::max) >= lastId) {
			return;
		}
		for (AppendListener listener : this.listeners) {
			try {
				if (appended != null) {
					listener.appended(appended);
				}
				else {
					listener.appended(lastId);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Scribe log listener {} failed on scribes up to id {}", listener, lastId, ex);
			}
		}
	}

	/** Tells the listeners about appends they may have missed while not subscribed. */
	private void catchUp() {
		try {
			String lastId = this.redis.opsForValue().get(lastIdKey());
			if (lastId != null) {
				announced(Long.parseLong(lastId));
			}
		}
		catch (RuntimeException ex) {
			// The next announcement or resubscription tries again.
			logger.debug("Could not read the last id of {}", this.namespace, ex);
		}
	}

	@Override
	public String toString() {
		return "RedisScribeLog[" + this.namespace + "]";
	}

	// Keys, one method per kind

	private String lastIdKey() {
		return this.namespace + ":log:last-id";
	}

	private String scribesKey() {
		return this.namespace + ":log:scribes";
	}

	private String everyoneKey() {
		return this.namespace + ":log:everyone";
	}

	private String blockedKey() {
		return this.namespace + ":log:blocked";
	}

	/**
	 * The sets a reader finds the scribes for only some in: one per key of its, and for a
	 * reader that takes its own scribes, the set of its own that appends before version
	 * 0.2 kept them in.
	 */
	private List<String> readerKeys(Reader reader) {
		List<String> keys = new ArrayList<>();
		reader.keys().forEach((key) -> keys.add(clientKey(key)));
		if (reader.own()) {
			keys.add(ownKey(reader.client()));
		}
		return keys;
	}

	private String clientKey(String client) {
		return this.namespace + ":log:client:" + client;
	}

	private String epochKey() {
		return this.namespace + ":log:epoch";
	}

	private String ownKey(String client) {
		return this.namespace + ":log:own:" + client;
	}

	private String relayedKey() {
		return this.namespace + ":log:relayed";
	}

	private String appendKey(String token) {
		return this.namespace + ":log:append:" + token;
	}

	private String channel() {
		return this.namespace + ":log:appended";
	}

	/**
	 * Hands announcements from Lettuce's I/O thread to the log's own thread, where
	 * listeners may block and call Redis.
	 */
	private final class AppendAnnouncements implements MessageListener, SubscriptionListener {

		private final ScheduledExecutorService executor;

		AppendAnnouncements(ScheduledExecutorService executor) {
			this.executor = executor;
		}

		@Override
		public void onMessage(Message message, byte @Nullable [] pattern) {
			long lastId;
			try {
				lastId = Long.parseLong(new String(message.getBody(), StandardCharsets.UTF_8));
			}
			catch (NumberFormatException ex) {
				logger.debug("Ignoring a message on {} that is not an id", channel());
				return;
			}
			runQuietly(this.executor, () -> announced(lastId));
		}

		@Override
		public void onChannelSubscribed(byte[] channel, long count) {
			// Subscribed for the first time or again after a lost connection: appends
			// announced while unsubscribed were missed.
			runQuietly(this.executor, RedisScribeLog.this::catchUp);
		}

	}

}

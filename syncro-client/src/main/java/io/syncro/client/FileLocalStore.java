package io.syncro.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.syncro.protocol.SyncroException;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link LocalStore} in one JSON file, for desktop and other JVM apps whose state must
 * survive a restart or a crash. Safe for use from many threads; one process at a time
 * may open a file (a lock on {@code <file>.lock} keeps others out while it is open).
 * <p>
 * Each write replaces the whole file atomically: the new state goes to
 * {@code <file>.tmp}, is forced to disk, and is moved over the file with
 * {@link StandardCopyOption#ATOMIC_MOVE}, so a crash at any moment leaves either the old
 * or the new state, never a mix. Durable changes (new local scribes, refusals) are on
 * disk before {@link #write} returns; changes that only follow the server are gathered
 * and written together after a short delay, so a sync of many scribes does not rewrite
 * the file for each one.
 * <p>
 * Costs: a write rewrites the whole state, O(n) in the number of records; the state is
 * also held in memory. Suited to the thousands of records a desktop app keeps, not to
 * millions.
 *
 * @since 0.1.0
 */
public final class FileLocalStore implements LocalStore {

	private static final Logger logger = LoggerFactory.getLogger(FileLocalStore.class);

	private static final int FORMAT = 1;

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private static final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "syncro-file-store");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * The files open in this JVM. Checked before the file lock, because on some systems
	 * closing any channel of a file releases every lock this JVM holds on it.
	 */
	private static final Set<Path> openFiles = ConcurrentHashMap.newKeySet();

	private final Path file;

	private final Path temp;

	private final Duration flushDelay;

	private final FileChannel lockChannel;

	private final FileLock lock;

	private StoredState state;

	private boolean dirty;

	private boolean closed;

	private @Nullable ScheduledFuture<?> scheduledFlush;

	private FileLocalStore(Path file, Duration flushDelay, FileChannel lockChannel, FileLock lock, StoredState state) {
		this.file = file;
		this.temp = file.resolveSibling(file.getFileName() + ".tmp");
		this.flushDelay = flushDelay;
		this.lockChannel = lockChannel;
		this.lock = lock;
		this.state = state;
	}

	/**
	 * Opens the store in a file, creating it (and its folders) on the first write.
	 * Changes that only follow the server are written 200 ms after the first of them.
	 * @param file the file
	 * @return the store
	 * @throws IllegalStateException if another process or store holds the file open
	 * @throws UncheckedIOException if the file cannot be read or is not a client store
	 */
	public static FileLocalStore open(Path file) {
		return open(file, Duration.ofMillis(200));
	}

	/**
	 * Opens the store in a file, creating it (and its folders) on the first write.
	 * @param file the file
	 * @param flushDelay how long changes that only follow the server may wait before
	 * they are written
	 * @return the store
	 * @throws IllegalStateException if another process or store holds the file open
	 * @throws UncheckedIOException if the file cannot be read or is not a client store
	 */
	public static FileLocalStore open(Path file, Duration flushDelay) {
		if (flushDelay.isNegative()) {
			throw new IllegalArgumentException("flushDelay must not be negative");
		}
		Path absolute = file.toAbsolutePath().normalize();
		if (!openFiles.add(absolute)) {
			throw new IllegalStateException("The client store " + absolute + " is open in another client");
		}
		FileChannel lockChannel = null;
		try {
			Files.createDirectories(absolute.getParent());
			Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
			lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock lock = tryLock(lockChannel, absolute);
			Files.deleteIfExists(absolute.resolveSibling(absolute.getFileName() + ".tmp"));
			return new FileLocalStore(absolute, flushDelay, lockChannel, lock, read(absolute));
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(lockChannel);
			openFiles.remove(absolute);
			if (ex instanceof IOException io) {
				throw new UncheckedIOException("Could not open the client store " + absolute, io);
			}
			throw (RuntimeException) ex;
		}
	}

	private static FileLock tryLock(FileChannel channel, Path file) throws IOException {
		FileLock lock;
		try {
			lock = channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			lock = null;
		}
		if (lock == null) {
			throw new IllegalStateException("The client store " + file + " is open in another client");
		}
		return lock;
	}

	/**
	 * The file the state is kept in.
	 * @return the absolute path
	 */
	public Path file() {
		return this.file;
	}

	@Override
	public synchronized State load() {
		return this.state.toState();
	}

	@Override
	public synchronized void write(Change change) {
		if (this.closed) {
			throw new IllegalStateException("The client store " + this.file + " is closed");
		}
		if (!change.durable()) {
			this.state.apply(change);
			this.dirty = true;
			scheduleFlush();
			return;
		}
		StoredState next = this.state.copy();
		next.apply(change);
		replace(next);
	}

	@Override
	public synchronized List<StoredSubscription> subscriptions() {
		return this.state.subscriptions;
	}

	@Override
	public synchronized void writeSubscriptions(List<StoredSubscription> subscriptions) {
		if (this.closed) {
			throw new IllegalStateException("The client store " + this.file + " is closed");
		}
		StoredState next = this.state.copy();
		next.subscriptions = List.copyOf(subscriptions);
		replace(next);
	}

	// called holding this: the state becomes the given one, on disk before it returns
	private void replace(StoredState next) {
		try {
			persist(next);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write the client store " + this.file, ex);
		}
		this.state = next;
		this.dirty = false;
	}

	@Override
	public synchronized void flush() {
		if (this.dirty) {
			try {
				persist(this.state);
				this.dirty = false;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not write the client store " + this.file, ex);
			}
		}
	}

	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (this.scheduledFlush != null) {
			this.scheduledFlush.cancel(false);
		}
		try {
			flush();
		}
		catch (UncheckedIOException ex) {
			logger.warn("Could not write the last changes to {}; they are fetched again on the next sync", this.file, ex);
		}
		try {
			this.lock.release();
		}
		catch (IOException ex) {
			logger.debug("Could not release the lock of {}", this.file, ex);
		}
		closeQuietly(this.lockChannel);
		openFiles.remove(this.file);
	}

	// called holding this
	private void scheduleFlush() {
		if (this.scheduledFlush == null || this.scheduledFlush.isDone()) {
			this.scheduledFlush = flusher.schedule(this::deferredFlush, this.flushDelay.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private synchronized void deferredFlush() {
		if (this.closed) {
			return;
		}
		try {
			flush();
		}
		catch (UncheckedIOException ex) {
			logger.warn("Could not write {}; trying again", this.file, ex);
			this.scheduledFlush = flusher.schedule(this::deferredFlush, Math.max(this.flushDelay.toMillis(), 1000),
					TimeUnit.MILLISECONDS);
		}
	}

	private void persist(StoredState stored) throws IOException {
		byte[] bytes = mapper.writeValueAsBytes(toJson(stored));
		try (FileChannel channel = FileChannel.open(this.temp, StandardOpenOption.CREATE,
				StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			while (buffer.hasRemaining()) {
				channel.write(buffer);
			}
			channel.force(true);
		}
		Files.move(this.temp, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		forceDirectory(this.file.getParent());
	}

	/** Makes the rename itself durable, where the platform allows opening a folder. */
	private static void forceDirectory(Path directory) {
		try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException | RuntimeException ex) {
			// not supported on every platform (Windows); the rename is still atomic
		}
	}

	private static ObjectNode toJson(StoredState stored) {
		ObjectNode json = nodes.objectNode();
		json.put("format", FORMAT);
		json.put("uid", stored.uid);
		json.put("nextScribeId", stored.nextScribeId);
		json.put("position", stored.position);
		if (stored.epoch != null) {
			json.put("epoch", stored.epoch);
		}
		json.put("acknowledged", stored.acknowledged);
		json.put("serverMark", stored.serverMark);
		ObjectNode records = json.putObject("records");
		stored.records.forEach((klass, ofKlass) -> {
			ObjectNode byId = records.putObject(klass);
			ofKlass.forEach(byId::set);
		});
		json.putArray("pending").addAll(stored.pending.values().stream().map(Scribe::toJson).toList());
		ArrayNode subscriptions = json.putArray("subscriptions");
		for (StoredSubscription subscription : stored.subscriptions) {
			ObjectNode entry = subscriptions.addObject().put("scope", subscription.scope());
			entry.set("params", subscription.params());
			entry.put("on", subscription.on()).put("confirmed", subscription.confirmed());
		}
		return json;
	}

	private static StoredState read(Path file) throws IOException {
		byte[] bytes;
		try {
			bytes = Files.readAllBytes(file);
		}
		catch (NoSuchFileException ex) {
			return new StoredState();
		}
		try {
			JsonNode json = mapper.readTree(bytes);
			if (json == null || !json.isObject() || json.path("format").asInt(0) != FORMAT) {
				throw new IOException(file + " is not a Syncro client store");
			}
			Map<String, Map<String, ObjectNode>> records = new HashMap<>();
			for (Map.Entry<String, JsonNode> klass : json.path("records").properties()) {
				Map<String, ObjectNode> byId = new HashMap<>();
				for (Map.Entry<String, JsonNode> record : klass.getValue().properties()) {
					byId.put(record.getKey(), (ObjectNode) record.getValue());
				}
				records.put(klass.getKey(), byId);
			}
			List<Scribe> pending = new ArrayList<>();
			for (JsonNode scribe : json.path("pending")) {
				pending.add(Scribe.fromJson(scribe));
			}
			JsonNode uid = json.path("uid");
			JsonNode epoch = json.path("epoch");
			List<StoredSubscription> subscriptions = new ArrayList<>();
			for (JsonNode entry : json.path("subscriptions")) {
				subscriptions.add(new StoredSubscription(entry.path("scope").asString(), (ObjectNode) entry.path("params"),
						entry.path("on").asBoolean(), entry.path("confirmed").asBoolean()));
			}
			// files written before epochs have neither an epoch nor a server's mark
			StoredState stored = StoredState.of(new State(uid.isString() ? uid.stringValue() : null, json.path("nextScribeId").asLong(1),
					json.path("position").asLong(0), epoch.isString() ? epoch.stringValue() : null,
					json.path("acknowledged").asLong(0), json.path("serverMark").asLong(0), records, pending));
			stored.subscriptions = List.copyOf(subscriptions);
			return stored;
		}
		catch (JacksonException | SyncroException | ClassCastException ex) {
			throw new IOException(file + " is not a valid Syncro client store", ex);
		}
	}

	private static void closeQuietly(@Nullable FileChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// nothing more to release
			}
		}
	}

	@Override
	public String toString() {
		return "FileLocalStore[" + this.file + "]";
	}

}

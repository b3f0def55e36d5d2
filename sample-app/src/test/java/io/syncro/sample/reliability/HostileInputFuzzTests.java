package io.syncro.sample.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.syncro.protocol.MessageCodec;
import io.syncro.sample.SampleUsers;
import io.syncro.sample.reliability.HostileInputs.Input;
import io.syncro.sample.reliability.HostileInputs.Kind;
import io.syncro.session.SyncroEngine;
import io.syncro.testing.Scribes;
import io.syncro.testing.WireClient;
import io.syncro.testing.WireMessages;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.sample.reliability.Measurements.percentile;
import static io.syncro.sample.reliability.Measurements.usedHeapAfterGc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, item 7: several connections send a seeded stream of malformed and adversarial
 * input to the sample app while a well-behaved client of another user watches live
 * changes made over REST. Every reply is checked: no error 500, nothing that looks like a
 * stack trace or an internal class name, nothing of the watcher's private Pages. The
 * watcher must get every live change exactly once, the other user's Pages must be
 * unchanged, every session must be gone once the connections close, and the heap must
 * come back to its baseline.
 * <p>
 * Rerun: {@code mvn -B -pl sample-app -am verify -Dtest=HostileInputFuzzTests
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsyncro.fuzz.seed=<seed>}; also
 * {@code -Dsyncro.fuzz.inputs} (default 100000) and {@code -Dsyncro.fuzz.connections}
 * (default 4).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:reliability-fuzz;DB_CLOSE_DELAY=-1",
				"syncro.max-message-bytes=65536",
				// the limiter stays on, high enough that most inputs reach the parsers and players
				"syncro.rate-limit.requests-per-second=5000", "syncro.rate-limit.burst=5000",
				// the hostile connections are all alice's: her limit is theirs together
				"syncro.rate-limit.per-user.requests-per-second=20000", "syncro.rate-limit.per-user.burst=20000" })
class HostileInputFuzzTests {

	private static final int MAX_MESSAGE_BYTES = 65536;

	private static final int BATCH = 100;

	private static final long HEAP_SLACK_BYTES = 32L * 1024 * 1024;

	/** The request ids of the probes start above every id the generator writes. */
	private static final long PROBE_IDS = 1_000_000_000_000L;

	private static final long PROBE_SCRIBE_ID = 1L << 62;

	/** The user whose Pages the hostile connections aim at; they are alice's. */
	private static final String VICTIM = "bob";

	@LocalServerPort
	private int port;

	@Autowired
	private SyncroEngine engine;

	@Test
	void hostileInputGetsNo500sLeaksNothingAndNeverStopsServingOthers() throws Exception {
		long seed = Long.getLong("syncro.fuzz.seed", System.nanoTime());
		int inputs = Integer.getInteger("syncro.fuzz.inputs", 100_000);
		int connections = Integer.getInteger("syncro.fuzz.connections", 4);
		System.out.printf("hostile input: seed %d (rerun with -Dsyncro.fuzz.seed=%d), %d inputs on %d connections%n", seed,
				seed, inputs, connections);
		// the hostile connections are alice's; the victim is bob, whose Pages reach only his clients
		Rest rest = new Rest(this.port, "alice");
		Rest victimsRest = new Rest(this.port, VICTIM);
		String run = Long.toHexString(seed);
		String secret = "SECRET" + UUID.randomUUID().toString().replace("-", "");
		String watcherUid = "victim-" + run;
		List<JsonNode> victimPages = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			victimPages.add(victimsRest.post("/api/pages", "{\"owner\":\"" + VICTIM + "\",\"title\":\"" + secret + " "
					+ i + "\",\"body\":\"private " + secret + "\"}"));
		}
		List<String> victimRecords = victimPages.stream().map((page) -> page.path("id").asString()).toList();
		List<String> sharedRecords = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			sharedRecords.add(rest.post("/api/todos", "{\"title\":\"shared " + i + "\"}").path("id").asString());
		}
		FuzzFindings findings = new FuzzFindings(secret);
		// the victim is another user, so that what the fuzz aims at its records is aimed at another user's
		@Nullable WireClient watcher = SampleUsers.signedIn(VICTIM, this.port).live(watcherUid);
		watcher.awaitScribes((scribe) -> scribe.toString().contains(secret), victimRecords.size());

		// warm up the server's code paths and pools so that the baseline includes them
		fuzz(new FuzzFindings(secret), seed ^ 0x5DEECE66DL, 2_000, 2, "warmup-" + run, victimRecords,
				sharedRecords);
		long heapBefore = usedHeapAfterGc();

		@Nullable LiveWriter live = new LiveWriter(rest, watcher, run);
		Thread writer = new Thread(live, "live-writer");
		writer.start();
		long started = System.nanoTime();
		fuzz(findings, seed, inputs, connections, "fuzz-" + run, victimRecords, sharedRecords);
		long fuzzMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		live.stop();
		writer.join();
		List<Long> latencies = live.awaitDelivered();
		List<String> twice = live.deliveredMoreThanOnce();
		int written = live.written();
		int watcherScribes = watcher.scribes().size();
		boolean watcherOpen = !watcher.closeCode().isDone();
		watcher.close();
		// what the watcher received is not the server's: let it go before measuring the heap
		watcher = null;
		live = null;
		boolean sessionsGone = awaitNoSessions();
		long heapAfter = usedHeapAfterGc();
		// a new client still gets served
		long last;
		List<JsonNode> all;
		try (WireClient fresh = SampleUsers.alice(this.port).connect("after-" + run)) {
			last = fresh.lastScribeId();
			all = fresh.syncToEnd(null);
		}
		// only alice (the hostile connections) and bob (the victim) may have written Pages
		JsonNode pagesNow = victimsRest.get("/api/pages");
		JsonNode alicesPages = rest.get("/api/pages");
		JsonNode allTodos = rest.get("/api/todos");
		int allPages = pagesNow.size() + alicesPages.size();
		// every record is held twice in the in-memory database: its row, and its scribes
		long storedBytes = 2 * (pagesNow.toString().length() + alicesPages.toString().length()
				+ (long) allTodos.toString().length());
		long unexplained = heapAfter - heapBefore - storedBytes;

		Collections.sort(latencies);
		System.out.printf("hostile input: %d inputs tried in %d ms (%d/s) on %d connections, seed %d%n",
				findings.inputs.sum(), fuzzMillis, findings.inputs.sum() * 1000 / Math.max(1, fuzzMillis), connections, seed);
		System.out.printf("hostile input: %d replies; errors by code %s; closes %s; %d reconnects; %d unsendable%n",
				findings.messages.sum(), findings.errorCodes(), findings.closes(), findings.reconnects.sum(),
				findings.unsendable.sum());
		System.out.printf("hostile input: %d raw handshakes, statuses %s%n", findings.handshakes.sum(),
				findings.handshakeStatuses());
		System.out.printf(
				"hostile input: watcher got %d/%d live REST changes (%d exactly once; %d scribes in all), latency ms p50 %s p99 %s max %s%n",
				latencies.size(), written, latencies.size() - twice.size(), watcherScribes, percentile(latencies, 50),
				percentile(latencies, 99), percentile(latencies, 100));
		System.out.printf(
				"hostile input: used heap after GC %d MiB before, %d MiB after (%+d MiB); the in-memory database holds %d Todos and "
						+ "%d Pages (%d KiB of JSON, counted twice for their scribes); %+d MiB unexplained (bound %d MiB)%n",
				heapBefore >> 20, heapAfter >> 20, (heapAfter - heapBefore) >> 20, allTodos.size(), allPages,
				storedBytes >> 10, unexplained >> 20, HEAP_SLACK_BYTES >> 20);
		System.out.printf("hostile input: SUMMARY inputs tried %d / 500s %d / leaks %d / other-client deliveries %d of %d%n",
				findings.inputs.sum(), findings.internalErrors.sum(), findings.leaks.sum(), latencies.size(), written);
		findings.samples().forEach((kind, samples) -> System.out.println("hostile input: " + kind + ": " + samples));

		assertThat(sessionsGone).as("every session closed: %s", this.engine.sessions()).isTrue();
		assertThat(all).isNotEmpty();
		assertThat(all.get(all.size() - 1).path("id").asLong()).isEqualTo(last);
		assertThat(all).noneMatch((scribe) -> scribe.toString().contains(secret));

		assertThat(findings.inputs.sum()).isGreaterThanOrEqualTo(inputs);
		assertThat(findings.internalErrors.sum()).as("500s: %s", findings.samples()).isZero();
		assertThat(findings.leaks.sum()).as("leaks: %s", findings.samples()).isZero();
		assertThat(findings.samples()).as("nothing unexpected").doesNotContainKey("unexpected");
		assertThat(watcherOpen).as("the watcher stayed connected").isTrue();
		assertThat(written).isPositive();
		assertThat(latencies).as("live changes the watcher got").hasSize(written);
		assertThat(twice).as("live changes the watcher got twice").isEmpty();
		assertThat(pagesNow).as("the victim's pages").hasSize(victimPages.size());
		for (JsonNode page : victimPages) {
			assertThat(pagesNow).contains(page);
		}
		assertThat(pagesNow).allMatch((page) -> page.path("owner").asString().equals(VICTIM));
		assertThat(alicesPages).as("alice's pages").noneMatch((page) -> page.toString().contains(secret));
		assertThat(unexplained).as("growth of the used heap after GC beyond the data stored").isLessThan(HEAP_SLACK_BYTES);
	}

	/**
	 * Runs the hostile connections to the end of their share of the inputs.
	 */
	private void fuzz(FuzzFindings findings, long seed, int inputs, int connections, String uidPrefix,
			List<String> victimRecords, List<String> sharedRecords) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(connections);
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < connections; i++) {
				int share = inputs / connections + ((i < inputs % connections) ? 1 : 0);
				HostileInputs.Target target = new HostileInputs.Target(uidPrefix + "-" + i, "alice", VICTIM, victimRecords,
						sharedRecords, MAX_MESSAGE_BYTES);
				long connectionSeed = seed + i;
				HostileInputs generator = new HostileInputs(connectionSeed, target);
				running.add(threads.submit(() -> {
					drive(target, generator, connectionSeed, share, findings);
					return null;
				}));
			}
			for (Future<?> connection : running) {
				connection.get(10, TimeUnit.MINUTES);
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	private void drive(HostileInputs.Target target, HostileInputs generator, long seed, int count, FuzzFindings findings)
			throws Exception {
		WireClient connection = open(target, findings);
		// how inputs are framed: some in fragments, some after a ping
		SplittableRandom shapes = new SplittableRandom(~seed);
		for (int sent = 1; sent <= count; sent++) {
			Input input = generator.next();
			findings.inputs.increment();
			if (input.kind() == Kind.HANDSHAKE) {
				rawHandshake(input.text(), findings);
				continue;
			}
			boolean delivered;
			if (input.kind() == Kind.BINARY) {
				delivered = connection.sendBinary(input.text());
			}
			else if (shapes.nextInt(20) == 0) {
				delivered = sendFragments(connection, input.text(), shapes);
			}
			else if (shapes.nextInt(100) == 0) {
				delivered = connection.sendPing(input.text()) && connection.sendText(input.text());
			}
			else {
				delivered = connection.sendText(input.text());
			}
			if (!delivered && !connection.closeCode().isDone()) {
				findings.unsendable.increment();
			}
			if (input.kind() == Kind.BINARY || input.kind() == Kind.OVERSIZED) {
				Integer code = awaitClose(connection, 30);
				int expected = (input.kind() == Kind.BINARY) ? 1003 : 1009;
				findings.closed((code != null) ? code : -1, input.kind().name().toLowerCase());
				if (code == null || code != expected) {
					findings.unexpected(input.kind() + " closed with " + code + " (" + connection.closeReason() + ")");
				}
				connection = reconnect(target, findings, connection);
			}
			else if (connection.closeCode().isDone()) {
				findings.unexpected("closed with " + connection.closeCode().join() + " (" + connection.closeReason()
						+ ") after " + FuzzFindings.abbreviate(input.text()));
				connection = reconnect(target, findings, connection);
			}
			else if (sent % BATCH == 0) {
				try {
					if (!barrier(connection, target, findings)) {
						findings.unexpected("closed with " + connection.closeCode().getNow(null) + " ("
								+ connection.closeReason() + ") during a barrier");
						connection = reconnect(target, findings, connection);
					}
				}
				catch (TimeoutException ex) {
					findings.unexpected("no answer for 30 seconds on " + target.uid);
					connection = reconnect(target, findings, connection);
				}
			}
		}
		barrier(connection, target, findings);
		close(connection, findings);
	}

	private WireClient reconnect(HostileInputs.Target target, FuzzFindings findings, WireClient old) {
		close(old, findings);
		findings.reconnects.increment();
		target.pendingPull = null;
		return open(target, findings);
	}

	// Hostile connections

	/**
	 * Opens a hostile connection: it sends whatever it is given, answers nothing by
	 * itself (the generator writes the answers to the server's pull) and inspects every
	 * message the server sends, without keeping them.
	 */
	private WireClient open(HostileInputs.Target target, FuzzFindings findings) {
		return SampleUsers.alice(this.port)
			.answerPulls(false)
			.answerPushes(false)
			.recordMessages(false)
			.firstRequestId(PROBE_IDS + 1)
			.onText((text) -> inspect(text, target, findings))
			.connect(target.uid);
	}

	/**
	 * Counts a message from the server and looks for leaks in it. It follows the server's
	 * pull so that the generator can answer it and aim its scribes at the id the server
	 * expects next.
	 */
	private static void inspect(String text, HostileInputs.Target target, FuzzFindings findings) {
		findings.inspectText(text, "message");
		JsonNode message;
		try {
			message = MessageCodec.readTree(text);
		}
		catch (RuntimeException ex) {
			// the client tells it among its violations
			return;
		}
		String type = message.path("type").asString("");
		long id = message.path("id").asLong(-1);
		if (id <= PROBE_IDS) {
			findings.received(type, message.path("code").asInt(0), text);
		}
		if (type.equals("sync")) {
			target.pendingPull = id;
			target.nextScribeId = message.path("from").asLong(0) + 1;
		}
	}

	/**
	 * Sends a text as several frames of one message, cut at random places.
	 */
	private static boolean sendFragments(WireClient connection, String text, SplittableRandom random) {
		List<String> parts = new ArrayList<>();
		int start = 0;
		while (text.length() - start > 1 && random.nextInt(3) != 0) {
			int end = start + 1 + random.nextInt(text.length() - start - 1);
			if (Character.isHighSurrogate(text.charAt(end - 1))) {
				end--;
			}
			if (end > start) {
				parts.add(text.substring(start, end));
			}
			start = Math.max(start, end);
		}
		parts.add(text.substring(start));
		return connection.sendFragments(parts);
	}

	/**
	 * Sends a probe and waits for its answer: messages are handled in order, so every
	 * input before it has been answered (or dropped) by then. The probe is a scribe with an
	 * id far beyond the mark, which the server answers with 409 and the id it expects
	 * next, so the generator aims the next scribes at it.
	 * @return whether it was answered; not when the connection closed meanwhile
	 * @throws TimeoutException when the server answered nothing for 30 seconds
	 */
	private static boolean barrier(WireClient connection, HostileInputs.Target target, FuzzFindings findings)
			throws InterruptedException, TimeoutException {
		WireClient.Request probe = connection
			.send(WireMessages.addScribe(Scribes.destroy(PROBE_SCRIBE_ID, "Todo", "probe")));
		JsonNode answer;
		try {
			answer = probe.reply().get(30, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			return false;
		}
		JsonNode expected = answer.get("expected");
		if (expected != null && expected.canConvertToLong()) {
			target.nextScribeId = expected.longValue();
		}
		else {
			findings.unexpected("a probe answered without the id expected next: " + answer);
		}
		return true;
	}

	/**
	 * Waits for the server to close the connection.
	 * @return the close code, or {@code null} if it stayed open
	 */
	private static @Nullable Integer awaitClose(WireClient connection, long seconds) throws InterruptedException {
		try {
			return connection.closeCode().get(seconds, TimeUnit.SECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			return null;
		}
	}

	/**
	 * Closes a connection, and looks at the reason the server closed it with and at what
	 * it sent that no client expects.
	 */
	private static void close(WireClient connection, FuzzFindings findings) {
		connection.close();
		// 1006 is the client's own word for a connection that ended without a close frame
		if (connection.closeCode().getNow(-1) != 1006) {
			findings.inspectText(connection.closeReason(), "close reason");
		}
		connection.violations().forEach(findings::unexpected);
	}

	private void rawHandshake(String request, FuzzFindings findings) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(2000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			String response = readResponse(socket.getInputStream());
			int status = -1;
			if (response.startsWith("HTTP/1.1 ") && response.length() >= 12) {
				status = Integer.parseInt(response.substring(9, 12));
			}
			findings.handshake(status, response);
		}
		catch (IOException ex) {
			findings.handshake(-1, String.valueOf(ex.getMessage()));
		}
	}

	/**
	 * Reads an HTTP response: the head, then the body up to the end of the stream; a 101
	 * has no body and opens a WebSocket, which is dropped.
	 */
	private static String readResponse(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			int read;
			while ((read = in.read(buffer)) != -1) {
				bytes.write(buffer, 0, read);
				String sofar = bytes.toString(StandardCharsets.ISO_8859_1);
				if (sofar.startsWith("HTTP/1.1 101") && sofar.contains("\r\n\r\n")) {
					break;
				}
				if (bytes.size() > 1_000_000) {
					break;
				}
			}
		}
		catch (SocketTimeoutException ex) {
			// the server keeps the connection open; what arrived is the response
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	private boolean awaitNoSessions() {
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> this.engine.sessions().isEmpty());
			return true;
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			return false;
		}
	}

	/**
	 * Makes a change over REST every 100 ms and notes when, so the watcher's latency can
	 * be told.
	 */
	private static final class LiveWriter implements Runnable {

		private final Rest rest;

		private final WireClient watcher;

		private final String run;

		private final Map<String, Long> written = new ConcurrentHashMap<>();

		private final AtomicBoolean stopped = new AtomicBoolean();

		LiveWriter(Rest rest, WireClient watcher, String run) {
			this.rest = rest;
			this.watcher = watcher;
			this.run = run;
		}

		@Override
		public void run() {
			int n = 0;
			while (!this.stopped.get()) {
				long sent = System.nanoTime();
				String id = this.rest.post("/api/todos", "{\"title\":\"live " + this.run + " " + (n++) + "\"}")
					.path("id")
					.asString();
				this.written.put(id, sent);
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}

		void stop() {
			this.stopped.set(true);
		}

		int written() {
			return this.written.size();
		}

		/**
		 * Waits (with a deadline) for the watcher to have every live change.
		 * @return how long each took to arrive, in ms, for those that arrived
		 */
		List<Long> awaitDelivered() {
			try {
				await().atMost(Duration.ofSeconds(30)).until(() -> arrivals().size() >= this.written.size());
			}
			catch (org.awaitility.core.ConditionTimeoutException ex) {
				// counted below
			}
			Map<String, Long> arrivals = arrivals();
			List<Long> latencies = new ArrayList<>();
			arrivals.forEach((id, nanos) -> latencies.add(TimeUnit.NANOSECONDS.toMillis(nanos - this.written.get(id))));
			return latencies;
		}

		List<String> deliveredMoreThanOnce() {
			Map<String, Integer> counts = new ConcurrentHashMap<>();
			for (WireClient.Arrival arrival : this.watcher.arrivals()) {
				String id = createdId(arrival.scribe());
				if (id != null && this.written.containsKey(id)) {
					counts.merge(id, 1, Integer::sum);
				}
			}
			return counts.entrySet().stream().filter((entry) -> entry.getValue() > 1).map(Map.Entry::getKey).toList();
		}

		private Map<String, Long> arrivals() {
			Map<String, Long> arrivals = new ConcurrentHashMap<>();
			for (WireClient.Arrival arrival : this.watcher.arrivals()) {
				String id = createdId(arrival.scribe());
				if (id != null && this.written.containsKey(id)) {
					arrivals.putIfAbsent(id, arrival.nanos());
				}
			}
			return arrivals;
		}

		private static @Nullable String createdId(JsonNode scribe) {
			return scribe.path("type").asString().equals("create") ? scribe.path("data").path("id").asString(null) : null;
		}

	}

}

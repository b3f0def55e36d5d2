package io.syncro.sample.reliability;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * What the hostile connections found, counted across all of them, with a few samples of
 * each kind of finding to show in a failure.
 */
final class FuzzFindings {

	// what a stack trace or an internal error message looks like
	private static final Pattern LEAK = Pattern.compile(
			"Exception|\\tat |\\\\tat |io\\.syncro\\.|org\\.springframework|org\\.hibernate|org\\.apache|java\\.lang|"
					+ "tools\\.jackson|org\\.h2|jakarta\\.|Caused by");

	private static final int SAMPLES = 5;

	private final String secret;

	final LongAdder inputs = new LongAdder();

	final LongAdder messages = new LongAdder();

	final LongAdder internalErrors = new LongAdder();

	final LongAdder leaks = new LongAdder();

	final LongAdder unsendable = new LongAdder();

	final LongAdder reconnects = new LongAdder();

	final LongAdder handshakes = new LongAdder();

	private final Map<Integer, LongAdder> errorCodes = new ConcurrentSkipListMap<>();

	private final Map<String, LongAdder> closes = new ConcurrentSkipListMap<>();

	private final Map<Integer, LongAdder> handshakeStatuses = new ConcurrentSkipListMap<>();

	private final Map<String, List<String>> samples = new ConcurrentHashMap<>();

	FuzzFindings(String secret) {
		this.secret = secret;
	}

	void inspectText(String text, String what) {
		if (text.contains(this.secret)) {
			this.leaks.increment();
			sample("another client's secret in a " + what, text);
		}
		if (LEAK.matcher(text).find()) {
			this.leaks.increment();
			sample("internals in a " + what, text);
		}
	}

	void received(String type, int code, String text) {
		this.messages.increment();
		if (type.equals("error")) {
			this.errorCodes.computeIfAbsent(code, (key) -> new LongAdder()).increment();
			if (code == 500) {
				this.internalErrors.increment();
				sample("a 500 (the server's log has the input)", text);
			}
		}
	}

	void closed(int code, String cause) {
		this.closes.computeIfAbsent(code + " " + cause, (key) -> new LongAdder()).increment();
	}

	void handshake(int status, String response) {
		this.handshakes.increment();
		this.handshakeStatuses.computeIfAbsent(status, (key) -> new LongAdder()).increment();
		if (status >= 500) {
			this.internalErrors.increment();
			sample("a handshake answered " + status, response);
		}
		inspectText(response, "handshake response");
	}

	void unexpected(String what) {
		sample("unexpected", what);
	}

	void sample(String kind, String text) {
		List<String> kept = this.samples.computeIfAbsent(kind, (key) -> new CopyOnWriteArrayList<>());
		if (kept.size() < SAMPLES) {
			kept.add(abbreviate(text));
		}
	}

	Map<String, List<String>> samples() {
		return Map.copyOf(this.samples);
	}

	String errorCodes() {
		return this.errorCodes.toString();
	}

	String closes() {
		return this.closes.toString();
	}

	String handshakeStatuses() {
		return this.handshakeStatuses.toString();
	}

	static String abbreviate(String text) {
		return (text.length() <= 300) ? text : text.substring(0, 300) + "… (" + text.length() + " chars)";
	}

}

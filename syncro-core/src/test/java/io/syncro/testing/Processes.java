package io.syncro.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Small helpers shared by the harnesses: those that start real servers as processes,
 * and the wire client.
 */
public final class Processes {

	private Processes() {
	}

	static String quote(String word) {
		return "'" + word.replace("'", "'\\''") + "'";
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs a tool to its end, within a minute, failing with its output unless it exits 0.
	 * @param command the tool and its arguments
	 * @param purpose what it does, for the failure's message ("create the cluster")
	 */
	static void run(List<String> command, String purpose) {
		try {
			Process process = new ProcessBuilder(command).directory(neutralDirectory()).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("Could not " + purpose + " in time: " + command);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException("Could not " + purpose + " (exit " + process.exitValue() + "): "
						+ command + "\n" + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not " + purpose + ": " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while trying to " + purpose, ex);
		}
	}

	/**
	 * Runs a tool to its end, within ten seconds, for its exit code alone.
	 * @param command the tool and its arguments
	 * @return its exit code, or -1 when it did not end in time
	 */
	static int exitCode(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).directory(neutralDirectory())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return -1;
			}
			return process.exitValue();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A working directory for tools that run as another user (postgres), who may enter it;
	 * initdb fails in one it cannot, such as root's.
	 */
	private static File neutralDirectory() {
		return new File(System.getProperty("java.io.tmpdir"));
	}

	static void deleteFolder(Path folder) {
		if (!Files.exists(folder)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(folder)) {
			paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException | UncheckedIOException ex) {
			// Best effort: a leftover temporary folder harms nobody.
		}
	}

}

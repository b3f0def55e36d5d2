package io.syncro.sample.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import io.syncro.client.Backoff;
import io.syncro.client.FileLocalStore;
import io.syncro.client.SyncroClient;
import io.syncro.client.SyncroCollection;
import io.syncro.sample.client.JavaClientTests.Page;
import io.syncro.sample.client.JavaClientTests.Todo;
import org.slf4j.LoggerFactory;

/**
 * A desktop app in its own JVM, on a {@link FileLocalStore}, run by
 * {@link JavaClientRestartTests}. Arguments: the store file, the server's Syncro URI, the
 * mode, and a marker that starts every record id.
 * <ul>
 * <li>{@code edit}: makes a fixed set of edits (the server is unreachable), prints
 * {@code EDITED <uid> <pendingWrites>} and waits to be killed;</li>
 * <li>{@code sync}: connects, waits until online with nothing pending, prints
 * {@code SYNCED <uid> <pendingWrites>}, closes and exits.</li>
 * </ul>
 */
public final class JavaClientProcess {

	private JavaClientProcess() {
	}

	public static void main(String[] args) throws Exception {
		((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
		Path store = Path.of(args[0]);
		URI server = URI.create(args[1]);
		String mode = args[2];
		String marker = args[3];
		SyncroClient client = SyncroClient.builder(server)
			.basicAuthentication("alice", "alice-secret")
			.store(FileLocalStore.open(store))
			.klasses("Todo", "Page")
			.backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2, 0.5))
			.build();
		client.connect();
		if (mode.equals("edit")) {
			edit(client, marker);
			System.out.println("EDITED " + client.uid() + " " + client.pendingWrites());
			System.out.flush();
			Thread.sleep(TimeUnit.MINUTES.toMillis(5));
			System.exit(1);
		}
		client.whenOnline().get(60, TimeUnit.SECONDS);
		client.whenSettled().get(60, TimeUnit.SECONDS);
		System.out.println("SYNCED " + client.uid() + " " + client.pendingWrites());
		System.out.flush();
		client.close();
		System.exit(0);
	}

	/**
	 * Ten edits: six creates, two updates, two destroys, and a page of its user's.
	 */
	private static void edit(SyncroClient client, String marker) {
		SyncroCollection<Todo> todos = client.collection(Todo.class);
		for (int i = 1; i <= 5; i++) {
			todos.create(new Todo(marker + "-" + i, "offline " + i, false));
		}
		todos.update(marker + "-1", Map.of("done", true));
		todos.update(marker + "-2", Map.of("title", "offline 2, edited", "done", true));
		todos.destroy(marker + "-3");
		todos.create(new Todo(marker + "-x", "short-lived", false));
		todos.destroy(marker + "-x");
		client.collection(Page.class).create(new Page(marker + "-page", "alice", "Mine", "written offline"));
	}

}

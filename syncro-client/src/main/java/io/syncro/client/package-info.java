/**
 * The Java client of Syncro, for desktop and other JVM apps: offline-first records kept
 * in sync with a Syncro server over the JDK's {@link java.net.http.WebSocket}, on the
 * same engine as the server, with a pluggable {@link io.syncro.client.LocalStore} (in
 * memory, or a file that survives a restart).
 * <p>
 * For example, with {@code record Todo(String id, String title, boolean done) {}}:
 * <pre class="code">
 * try (SyncroClient client = SyncroClient.builder(URI.create("ws://localhost:8080/syncro"))
 * 		.store(FileLocalStore.open(Path.of("todos.json")))   // survives a restart; the uid too
 * 		.build()) {
 * 	SyncroCollection&lt;Todo&gt; todos = client.collection(Todo.class);   // klass "Todo"
 * 	todos.onChange((change) -&gt; System.out.println(change.source() + " " + change.type() + " " + change.record()));
 * 	client.onStatus((status) -&gt; System.out.println(status));   // CONNECTING, SYNCING, ONLINE, OFFLINE
 * 	client.onRefused((refused) -&gt; System.out.println(refused.message()));   // rolled back
 * 	client.onConflict((conflict) -&gt; System.out.println(conflict.record()));   // the server's value won
 * 	client.onReset((reset) -&gt; System.out.println(reset.reason()));   // the server was set back; syncing again
 * 	client.connect();   // offline is fine: changes queue up and go when the server is reachable
 *
 * 	Todo todo = todos.create(new Todo(null, "Write the docs", false));   // id: a new UUID
 * 	todos.update(todo.id(), Map.of("done", true));
 * 	client.whenSettled().get(10, TimeUnit.SECONDS);   // the server has both changes
 * }
 * </pre>
 */
@NullMarked
package io.syncro.client;

import org.jspecify.annotations.NullMarked;

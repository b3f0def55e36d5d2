package io.syncro.sample.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.syncro.scribe.Changes;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.jdbc.JdbcScribeLog;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Seeds a scribe log with a history, for the bootstrap benchmark
 * ({@code benchmarks/bootstrap.js}): {@code records} shared Todos created, then changed at
 * random until the log holds {@code changes} scribes, appended straight to the JDBC log
 * as the recorder would write them ({@link Changes}), in appends of 1,000. Only the log is
 * written: the benchmark measures what a new client's sync costs, not the sample's tables.
 * <p>
 * Run it from the sample's jar, with the app stopped:
 * <pre class="code">
 * java -cp sample-app/target/sample-app-0.1.0-SNAPSHOT.jar \
 *   -Dloader.main=io.syncro.sample.history.HistoryLoader \
 *   org.springframework.boot.loader.launch.PropertiesLauncher \
 *   jdbc:h2:file:/tmp/history/syncro-sample 100000 1000000
 * </pre>
 * With a fourth argument {@code count} it only prints how many scribes and recipient rows
 * the log holds.
 *
 * @since 0.2.0
 */
public final class HistoryLoader {

	private static final int APPEND = 1000;

	private HistoryLoader() {
	}

	public static void main(String[] args) {
		DriverManagerDataSource dataSource = new DriverManagerDataSource(args[0], "sa", "");
		JdbcScribeLog log = new JdbcScribeLog(dataSource, new DataSourceTransactionManager(dataSource));
		log.initializeSchema();
		if (args.length > 3 && "count".equals(args[3])) {
			count(dataSource);
			return;
		}
		int records = Integer.parseInt(args[1]);
		long changes = Long.parseLong(args[2]);
		JsonNodeFactory json = JsonNodeFactory.instance;
		Random random = new Random(42);
		List<ScribeEntry> batch = new ArrayList<>(APPEND);
		long written = 0;
		long started = System.nanoTime();
		for (long change = 0; change < changes; change++) {
			int record = (change < records) ? (int) change : random.nextInt(records);
			String id = "h" + record;
			if (change < records) {
				ObjectNode todo = json.objectNode().put("id", id).put("title", "todo " + record).put("done", false);
				batch.addAll(Changes.created("Todo", todo, Recipients.all(), null));
			}
			else {
				ObjectNode before = json.objectNode().put("id", id).put("title", "").put("done", false);
				ObjectNode after = json.objectNode().put("id", id).put("title", "change " + change).put("done", change % 2 == 0);
				batch.addAll(Changes.updated("Todo", before, after, Recipients.all(), Recipients.all(), null));
			}
			if (batch.size() >= APPEND) {
				written += log.append(batch).size();
				batch.clear();
				if (written % 100_000 == 0) {
					System.out.printf("%,d scribes appended in %.1f s%n", written, (System.nanoTime() - started) / 1e9);
				}
			}
		}
		written += log.append(batch).size();
		System.out.printf("%,d scribes appended in %.1f s%n", written, (System.nanoTime() - started) / 1e9);
		count(dataSource);
	}

	private static void count(DriverManagerDataSource dataSource) {
		org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
		Long scribes = jdbc.queryForObject("SELECT COUNT(*) FROM syncro_scribe", Long.class);
		Long rows = jdbc.queryForObject("SELECT COUNT(*) FROM syncro_scribe_client", Long.class);
		System.out.printf("log: %,d scribes, %,d recipient rows%n", scribes, rows);
	}

}

package io.syncro.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.DatabasePopulatorUtils;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.util.Assert;

/**
 * Runs the idempotent DDL scripts of the JDBC stores and checks table-name prefixes.
 * <p>
 * A script {@code name.sql} is valid on PostgreSQL and H2; a database whose DDL differs
 * too much has a script of its own next to it, {@code name-<platform>.sql}, run in its
 * place. MariaDB has one ({@code name-mariadb.sql}): its tables take a binary collation,
 * so that keys compare as on the other databases, not case-insensitively as MariaDB's
 * default collations do.
 *
 * @since 0.1.0
 */
final class JdbcSchema {

	/** The table-name prefix used unless another is given. */
	static final String DEFAULT_PREFIX = "syncro_";

	/** The {@link #platform platform} of MariaDB. */
	static final String MARIADB = "mariadb";

	private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,30}");

	/**
	 * Enough for any script of this package: a run fails only on an object that another
	 * node is creating at that moment, and finds it created on the next run, so each of
	 * the (at most nine) objects of a script can fail a run once.
	 */
	private static final int ATTEMPTS = 10;

	private JdbcSchema() {
	}

	/**
	 * Checks that a prefix can be pasted into SQL as the start of a table name.
	 * @param prefix the prefix
	 * @return the prefix
	 */
	static String checkedPrefix(String prefix) {
		Assert.notNull(prefix, "Table prefix must not be null");
		Assert.isTrue(PREFIX.matcher(prefix).matches(),
				() -> "Table prefix must be a letter or underscore followed by up to 30 letters, digits or underscores, not '"
						+ prefix + "'");
		return prefix;
	}

	/**
	 * The database behind a data source as the scripts of this package name it:
	 * {@value #MARIADB} for MariaDB, also when the driver reports it as MySQL (MySQL's own
	 * driver does), and otherwise the product name the driver reports, in lower case, such
	 * as {@code postgresql} or {@code h2}.
	 * @param dataSource the database
	 * @return the platform's name
	 */
	static String platform(DataSource dataSource) {
		String product = new JdbcTemplate(dataSource)
			.execute((ConnectionCallback<String>) (connection) -> connection.getMetaData().getDatabaseProductName());
		String platform = (product != null) ? product.toLowerCase(Locale.ROOT) : "";
		return (platform.contains("mariadb") || platform.contains("mysql")) ? MARIADB : platform;
	}

	/**
	 * Whether a database is MariaDB (or MySQL, see {@link #platform}), asked of it on the
	 * first call only, not when the caller is made.
	 * @param dataSource the database
	 * @return the answer, remembered once found
	 */
	static BooleanSupplier isMariaDb(DataSource dataSource) {
		return new BooleanSupplier() {

			private volatile @Nullable Boolean mariadb;

			@Override
			public boolean getAsBoolean() {
				Boolean found = this.mariadb;
				if (found == null) {
					found = MARIADB.equals(platform(dataSource));
					this.mariadb = found;
				}
				return found;
			}

		};
	}

	/**
	 * Runs a schema script of this package with its tables named by the given prefix:
	 * the database's own variant of the script ({@code <name>-<platform>.sql}), and the
	 * PostgreSQL variant, standard SQL, for a database without one. Every statement is
	 * safe to run again. Two nodes starting together can still collide inside the
	 * database's catalog ({@code CREATE TABLE IF NOT EXISTS} is not atomic on
	 * PostgreSQL), so a failed run is tried again: the second run finds what the other
	 * node created.
	 * @param dataSource where the tables go
	 * @param script the script's file name next to this class, without the platform, such as
	 * {@code outbox-schema.sql}
	 * @param prefix the table-name prefix
	 */
	static void initialize(DataSource dataSource, String script, String prefix) {
		String own = script.replaceFirst("\\.sql$", "-" + platform(dataSource) + ".sql");
		String chosen = (JdbcSchema.class.getResource(own) != null) ? own
				: script.replaceFirst("\\.sql$", "-postgresql.sql");
		String sql = read(chosen).replace("%PREFIX%", prefix);
		ResourceDatabasePopulator populator = new ResourceDatabasePopulator(
				new ByteArrayResource(sql.getBytes(StandardCharsets.UTF_8), chosen));
		for (int attempt = 1;; attempt++) {
			try {
				DatabasePopulatorUtils.execute(populator, dataSource);
				return;
			}
			catch (DataAccessException ex) {
				if (attempt == ATTEMPTS) {
					throw ex;
				}
			}
		}
	}

	private static String read(String script) {
		try (InputStream in = JdbcSchema.class.getResourceAsStream(script)) {
			Assert.state(in != null, () -> "Missing schema script " + script);
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}

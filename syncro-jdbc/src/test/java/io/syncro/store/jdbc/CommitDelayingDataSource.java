package io.syncro.store.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source whose connections take their time to commit, widening the window
 * between an append taking its ids and other transactions seeing them: the window in
 * which ids committed out of order would show. It can also hold back the next commit of
 * a transaction that inserted rows, until told.
 */
final class CommitDelayingDataSource extends DelegatingDataSource {

	private final long maxDelayNanos;

	private final AtomicReference<@Nullable Hold> hold = new AtomicReference<>();

	CommitDelayingDataSource(DataSource target, long maxDelayMicros) {
		super(target);
		this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
	}

	/**
	 * Makes the next commit of a transaction that inserted rows wait until the returned
	 * hold is released.
	 * @return the hold
	 */
	Hold holdNextCommit() {
		Hold next = new Hold();
		this.hold.set(next);
		return next;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return delaying(super.getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return delaying(super.getConnection(username, password));
	}

	private Connection delaying(Connection connection) {
		AtomicBoolean inserted = new AtomicBoolean();
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (method.getName().equals("prepareStatement") && args[0] instanceof String sql
							&& sql.startsWith("INSERT")) {
						inserted.set(true);
					}
					if (method.getName().equals("commit")) {
						beforeCommit(inserted.getAndSet(false));
					}
					if (method.getName().equals("rollback")) {
						inserted.set(false);
					}
					try {
						return method.invoke(connection, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getTargetException();
					}
				});
	}

	private void beforeCommit(boolean inserted) throws InterruptedException {
		Hold held = inserted ? this.hold.getAndSet(null) : null;
		if (held != null) {
			held.reached.countDown();
			if (!held.released.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Held commit was never released");
			}
		}
		else if (this.maxDelayNanos > 0) {
			LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(this.maxDelayNanos));
		}
	}

	/**
	 * A commit held back.
	 */
	static final class Hold {

		private final CountDownLatch reached = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		/**
		 * Waits until a transaction is about to commit and is held.
		 */
		void awaitReached() throws InterruptedException {
			if (!this.reached.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("No commit was held");
			}
		}

		/**
		 * Lets the held commit go on.
		 */
		void release() {
			this.released.countDown();
		}

	}

}

package io.syncro.recording;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;


import io.syncro.play.SyncClasses;
import io.syncro.play.SyncroPolicy;
import io.syncro.recording.sample.Todo;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/**
 * An application with JPA on H2, the entities of the {@code sample} package and the
 * {@link RecordingLayer}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class,
		TransactionAutoConfiguration.class, JacksonAutoConfiguration.class })
@EntityScan(basePackageClasses = Todo.class)
@EnableJpaRepositories(basePackageClasses = Todo.class)
@Import(RecordingLayer.class)
class RecordingTestApplication {

	@Bean
	SyncClasses syncClasses(SyncableEntities syncableEntities) {
		return syncableEntities.registerPlayers(new SyncClasses());
	}

	@Bean
	TodoPolicy todoPolicy() {
		return new TodoPolicy();
	}

	/**
	 * A todo goes to its owner only; every client but {@code mallory} may write.
	 */
	static class TodoPolicy implements SyncroPolicy<Todo> {

		private final List<Scribe> authorized = new CopyOnWriteArrayList<>();

		private final AtomicReference<@Nullable Runnable> onNextCall = new AtomicReference<>();

		@Override
		public Recipients recipients(Todo todo) {
			runOnce();
			return (todo.getOwner() != null) ? Recipients.only(todo.getOwner()) : Recipients.none();
		}

		@Override
		public boolean authorize(Scribe scribe, String client, @Nullable Todo existing) {
			runOnce();
			this.authorized.add(scribe);
			return !"mallory".equals(client);
		}

		/**
		 * Runs work once, on the next call of this policy: a change has read the record it
		 * changes then, and not written it yet.
		 * @param work the work
		 */
		void onNextCall(Runnable work) {
			this.onNextCall.set(work);
		}

		private void runOnce() {
			Runnable work = this.onNextCall.getAndSet(null);
			if (work != null) {
				work.run();
			}
		}

		/**
		 * The scribes this policy was asked about.
		 * @return the scribes, oldest first
		 */
		List<Scribe> asked() {
			return this.authorized;
		}

		void forget() {
			this.authorized.clear();
		}

	}

}

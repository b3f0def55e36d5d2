package io.syncro.recording;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import io.syncro.play.SyncClasses;
import io.syncro.play.SyncroPolicy;
import io.syncro.recording.sample.Todo;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.store.jdbc.JdbcScribeOutbox;
import jakarta.persistence.EntityManagerFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * An application with JPA on H2, the entities of the {@code sample} package and the
 * recording layer wired by hand, as the auto-configuration would.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class,
		TransactionAutoConfiguration.class, JacksonAutoConfiguration.class })
@EntityScan(basePackageClasses = Todo.class)
@EnableJpaRepositories(basePackageClasses = Todo.class)
class RecordingTestApplication {

	@Bean
	CapturingScribeLog scribeLog() {
		return new CapturingScribeLog();
	}

	@Bean
	SyncableEntities syncableEntities(EntityManagerFactory entityManagerFactory, JsonMapper jsonMapper,
			ListableBeanFactory beanFactory) {
		return new SyncableEntities(entityManagerFactory, jsonMapper, beanFactory);
	}

	@Bean
	JdbcScribeOutbox scribeOutbox(DataSource dataSource, PlatformTransactionManager transactionManager,
			CapturingScribeLog scribeLog) {
		JdbcScribeOutbox outbox = new JdbcScribeOutbox(dataSource, transactionManager, scribeLog);
		outbox.initializeSchema();
		return outbox;
	}

	@Bean
	ScribeRecorder scribeRecorder(JdbcScribeOutbox scribeOutbox, SyncableEntities syncableEntities) {
		return new ScribeRecorder(scribeOutbox, syncableEntities);
	}

	@Bean
	static RecordingRepositoryPostProcessor recordingRepositoryPostProcessor(ObjectProvider<ScribeRecorder> recorder) {
		return new RecordingRepositoryPostProcessor(recorder);
	}

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

package io.syncro.recording;

import javax.sql.DataSource;

import io.syncro.store.jdbc.JdbcScribeOutbox;
import jakarta.persistence.EntityManagerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The recording layer wired by hand, as the auto-configuration would, on a log that
 * captures what is appended: for the test applications of this package.
 */
@Configuration(proxyBeanMethods = false)
class RecordingLayer {

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

}

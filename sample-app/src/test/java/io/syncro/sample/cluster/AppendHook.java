package io.syncro.sample.cluster;

import java.util.List;
import java.util.function.Consumer;

import io.syncro.scribe.ScribeEntry;
import io.syncro.store.ForwardingScribeLog;
import io.syncro.store.Relayed;
import io.syncro.store.ScribeLog;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lets a test act at the moment a node appends scribes to its log: after the
 * transaction that recorded them has committed, before they are in the log (as when the
 * outbox relays them). Added to a
 * node's sources, it wraps the node's {@link ScribeLog}; every node of the JVM calls the
 * same hook.
 */
@Configuration(proxyBeanMethods = false)
class AppendHook {

	private static volatile Consumer<List<ScribeEntry>> beforeAppend = (entries) -> {
	};

	/**
	 * Sets what runs before each append, on the appending thread.
	 * @param hook the work, given the entries about to be appended
	 */
	static void beforeAppend(Consumer<List<ScribeEntry>> hook) {
		beforeAppend = hook;
	}

	static void reset() {
		beforeAppend = (entries) -> {
		};
	}

	@Bean
	static BeanPostProcessor syncroScribeLogHook() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				return (bean instanceof ScribeLog log) ? new HookedLog(log) : bean;
			}

		};
	}

	/**
	 * The node's log, with the hook in front of appends.
	 */
	static final class HookedLog extends ForwardingScribeLog {

		HookedLog(ScribeLog log) {
			super(log);
		}

		@Override
		public List<ScribeEntry> append(List<ScribeEntry> entries) {
			beforeAppend.accept(entries);
			return super.append(entries);
		}

		@Override
		public List<ScribeEntry> appendRelayed(List<Relayed> transactions) {
			beforeAppend.accept(transactions.stream().flatMap((transaction) -> transaction.entries().stream()).toList());
			return super.appendRelayed(transactions);
		}

	}

}

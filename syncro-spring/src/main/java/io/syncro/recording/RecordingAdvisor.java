package io.syncro.recording;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.syncro.play.Syncable;
import io.syncro.recording.ScribeRecorder.State;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * The advisor that records the saves and deletes of one repository of a
 * {@link Syncable} entity: its pointcut picks the methods of
 * {@link RepositoryOperation}, its interceptor reads the records a call will change
 * before the call proceeds and records the change after it returns. Added to the
 * repository's proxy inside its transaction interceptor, so both happen in the
 * repository's transaction when there is no surrounding one.
 */
final class RecordingAdvisor extends AbstractPointcutAdvisor {

	private final Pointcut pointcut = new RepositoryOperationPointcut();

	private final RecordingInterceptor interceptor;

	/**
	 * Creates the advisor of one repository.
	 * @param domainType the repository's entity class
	 * @param recorder the recorder, looked up on each call; none means no recording
	 */
	RecordingAdvisor(Class<?> domainType, Supplier<@Nullable ScribeRecorder> recorder) {
		this.interceptor = new RecordingInterceptor(domainType, recorder);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

	private static final class RepositoryOperationPointcut extends StaticMethodMatcherPointcut {

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return RepositoryOperation.of(method) != null;
		}

	}

	static final class RecordingInterceptor implements MethodInterceptor {

		private final Class<?> domainType;

		private final Supplier<@Nullable ScribeRecorder> recorder;

		RecordingInterceptor(Class<?> domainType, Supplier<@Nullable ScribeRecorder> recorder) {
			this.domainType = domainType;
			this.recorder = recorder;
		}

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			RepositoryOperation operation = RepositoryOperation.of(invocation.getMethod());
			boolean recording = operation != null && !RecordingContext.isSuspended();
			ScribeRecorder recorder = recording ? this.recorder.get() : null;
			SyncableType<?> type = (recorder != null) ? recorder.syncableType(this.domainType) : null;
			Object argument = (invocation.getArguments().length > 0) ? invocation.getArguments()[0] : null;
			if (operation == null || recorder == null || type == null
					|| (argument == null && operation != RepositoryOperation.DELETE_EVERYTHING)) {
				return invocation.proceed();
			}
			return switch (operation) {
				case SAVE -> {
					Map<RecordKey, @Nullable State> before = recorder.recordsOf(type, List.of(argument));
					Object saved = invocation.proceed();
					recorder.saved(type, before, (saved != null) ? saved : argument);
					yield saved;
				}
				case SAVE_ALL -> {
					List<Object> entities = listOf(argument);
					Map<RecordKey, @Nullable State> before = recorder.recordsOf(type, entities);
					Object saved = invocation.proceed();
					for (Object entity : (saved instanceof Iterable<?> iterable) ? listOf(iterable) : entities) {
						if (entity != null) {
							recorder.saved(type, before, entity);
						}
					}
					yield saved;
				}
				case DELETE, DELETE_ALL -> destroy(invocation, recorder, type,
						recorder.recordsOf(type, (operation == RepositoryOperation.DELETE) ? List.of(argument)
								: listOf(argument)));
				case DELETE_BY_ID -> destroy(invocation, recorder, type,
						recorder.recordsWithIds(type, List.of(argument)));
				case DELETE_ALL_BY_ID -> destroy(invocation, recorder, type,
						recorder.recordsWithIds(type, listOf(argument)));
				case DELETE_EVERYTHING -> destroy(invocation, recorder, type, recorder.allRecords(type));
			};
		}

		private static @Nullable Object destroy(MethodInvocation invocation, ScribeRecorder recorder,
				SyncableType<?> type, Map<RecordKey, @Nullable State> before) throws Throwable {
			Object result = invocation.proceed();
			recorder.destroyed(type, before);
			return result;
		}

		private static List<Object> listOf(Object iterable) {
			List<Object> list = new ArrayList<>();
			if (iterable instanceof Iterable<?> elements) {
				elements.forEach(list::add);
			}
			return list;
		}

	}

}

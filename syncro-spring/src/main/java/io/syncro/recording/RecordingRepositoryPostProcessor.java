package io.syncro.recording;

import io.syncro.play.Syncable;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.data.repository.core.support.RepositoryProxyPostProcessor;
import org.springframework.util.Assert;
import org.springframework.util.function.SingletonSupplier;

/**
 * Attaches the recorder to the Spring Data repositories whose domain type is annotated
 * {@link Syncable}, and to no other. To each repository factory bean it adds a step in
 * the making of the repository's proxy that adds the recording advisor when the domain
 * type is {@link Syncable}. Spring Data adds its transaction interceptor before such
 * steps, so the advisor runs inside it: a save made outside any transaction reads the
 * previous state and writes in the repository's one transaction.
 * <p>
 * Declare it as a {@code static} bean. The {@link ScribeRecorder} is looked up on the
 * first call of a repository method, so repositories can be made before it (a policy may
 * use a repository).
 *
 * @since 0.1.0
 */
public final class RecordingRepositoryPostProcessor implements BeanPostProcessor {

	private final RepositoryProxyPostProcessor proxyPostProcessor;

	/**
	 * Creates the post-processor.
	 * @param recorder the recorder; when there is none, nothing is recorded
	 */
	public RecordingRepositoryPostProcessor(ObjectProvider<ScribeRecorder> recorder) {
		Assert.notNull(recorder, "ObjectProvider must not be null");
		this.proxyPostProcessor = new RecordingProxyPostProcessor(SingletonSupplier.of(recorder::getIfAvailable));
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
			factoryBean.addRepositoryFactoryCustomizer(
					(factory) -> factory.addRepositoryProxyPostProcessor(this.proxyPostProcessor));
		}
		return bean;
	}

	private record RecordingProxyPostProcessor(
			SingletonSupplier<ScribeRecorder> recorder) implements RepositoryProxyPostProcessor {

		@Override
		public void postProcess(ProxyFactory factory, RepositoryInformation repositoryInformation) {
			Class<?> domainType = repositoryInformation.getDomainType();
			if (domainType.isAnnotationPresent(Syncable.class)) {
				factory.addAdvisor(new RecordingAdvisor(domainType, this::recorderIfAny));
			}
		}

		private @Nullable ScribeRecorder recorderIfAny() {
			return this.recorder.get();
		}

	}

}

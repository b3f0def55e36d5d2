package io.syncro.recording;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.syncro.play.SyncClasses;
import io.syncro.play.Syncable;
import io.syncro.play.SyncroPolicy;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.metamodel.EntityType;
import jakarta.persistence.metamodel.SingularAttribute;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.generator.Assigned;
import org.hibernate.generator.Generator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.ResolvableType;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.support.Repositories;
import org.springframework.util.Assert;

/**
 * The JPA entities marked {@link Syncable}, found in an {@link EntityManagerFactory}'s
 * metamodel and checked when the application starts: each must have a single id attribute
 * named {@code id} that clients can assign (see {@link Syncable}), and a klass name of its
 * own. Each entity's {@link SyncroPolicy} is the one bean of type
 * {@code SyncroPolicy<TheEntity>}, or, when there is none, the default policy (every client
 * receives, no client may write); two such beans are an error.
 * <p>
 * The entities' players, which play inbound scribes through their repositories, are
 * registered with {@link #registerPlayers(SyncClasses)}.
 *
 * @since 0.1.0
 */
public final class SyncableEntities implements SmartInitializingSingleton {

	private static final Logger logger = LoggerFactory.getLogger(SyncableEntities.class);

	private static final SyncroPolicy<Object> DEFAULT_POLICY = new SyncroPolicy<>() {
	};

	private final Map<Class<?>, SyncableType<?>> types = new LinkedHashMap<>();

	private final JsonMapper jsonMapper;

	private final EntitySnapshots snapshots;

	private final @Nullable ListableBeanFactory beanFactory;

	/**
	 * Finds and checks the {@link Syncable} entities of a persistence unit.
	 * @param entityManagerFactory the persistence unit, run by Hibernate
	 * @param jsonMapper writes the entities' attributes and reads those of inbound scribes
	 * @param beanFactory where the entities' policies and repositories are
	 * @throws IllegalStateException if a {@link Syncable} entity does not qualify
	 */
	public SyncableEntities(EntityManagerFactory entityManagerFactory, JsonMapper jsonMapper,
			ListableBeanFactory beanFactory) {
		this(scan(entityManagerFactory, (type) -> policyBean(beanFactory, type)), jsonMapper,
				new JpaEntitySnapshots(entityManagerFactory), beanFactory);
	}

	SyncableEntities(Collection<SyncableType<?>> types, JsonMapper jsonMapper, EntitySnapshots snapshots,
			@Nullable ListableBeanFactory beanFactory) {
		Assert.notNull(jsonMapper, "JsonMapper must not be null");
		Assert.notNull(snapshots, "EntitySnapshots must not be null");
		for (SyncableType<?> type : types) {
			this.types.put(type.javaType(), type);
		}
		this.jsonMapper = jsonMapper;
		this.snapshots = snapshots;
		this.beanFactory = beanFactory;
	}

	/**
	 * The klass names of the syncable entities.
	 * @return the names
	 */
	public Set<String> klasses() {
		return Set.copyOf(this.types.values().stream().map(SyncableType::klass).toList());
	}

	/**
	 * Registers, for each syncable entity with a {@link CrudRepository}, a player that
	 * plays inbound scribes through that repository. Entities without one are left out,
	 * so scribes sent for them are refused (403).
	 * @param classes the registry to add the players to
	 * @return the same registry
	 */
	public SyncClasses registerPlayers(SyncClasses classes) {
		Assert.state(this.beanFactory != null, "No bean factory to find repositories in");
		Repositories repositories = new Repositories(this.beanFactory);
		for (SyncableType<?> type : this.types.values()) {
			Optional<Object> repository = repositories.getRepositoryFor(type.javaType());
			if (repository.isPresent() && repository.get() instanceof CrudRepository<?, ?> crud) {
				classes.register(type.klass(), player(type, crud));
			}
			else {
				logger.warn("@Syncable {} has no CrudRepository, so scribes that clients send for it are refused",
						type.javaType().getName());
			}
		}
		return classes;
	}

	@SuppressWarnings("unchecked")
	private <T> EntityPlayer<T> player(SyncableType<T> type, CrudRepository<?, ?> repository) {
		return new EntityPlayer<>(type, (CrudRepository<T, Object>) repository, this);
	}

	/**
	 * Explains whether a client receives a record: loads it through its repository, asks
	 * its policy for its recipients, and matches them with the client's keys.
	 * @param klass the record's klass
	 * @param recordId the record's id
	 * @param who the client
	 * @return the explanation
	 */
	public Explanation explain(String klass, String recordId, Identity who) {
		SyncableType<?> type = find(klass);
		if (type == null) {
			return new Explanation(klass, recordId, false, false, null, null, List.of(), List.of(),
					"There is no synchronised class named '" + klass + "'.");
		}
		return explain(type, recordId, who);
	}

	@SuppressWarnings("unchecked")
	private <T> Explanation explain(SyncableType<T> type, String recordId, Identity who) {
		SyncroPolicy<T> policy = type.policy();
		String policyName = policy.getClass().getName();
		Object id;
		try {
			id = type.parseId(recordId);
		}
		catch (RuntimeException ex) {
			return new Explanation(type.klass(), recordId, false, false, policyName, null, List.of(), List.of(),
					"'" + recordId + "' is not an id of " + type.klass() + ".");
		}
		Assert.state(this.beanFactory != null, "No bean factory to find repositories in");
		T record = new Repositories(this.beanFactory).getRepositoryFor(type.javaType())
			.filter(CrudRepository.class::isInstance)
			.map((repository) -> type.javaType().cast(((CrudRepository<?, Object>) repository).findById(id).orElse(null)))
			.orElse(null);
		if (record == null) {
			return new Explanation(type.klass(), recordId, false, false, policyName, null, List.of(), List.of(),
					"There is no " + type.klass() + " " + recordId + ".");
		}
		Recipients recipients = policy.recipients(record);
		boolean receives = recipients.includes(who);
		List<String> matched = who.keys().stream().filter((key) -> recipients.listed().contains(key)).sorted().toList();
		String reason = policy.getClass().getSimpleName() + " gives " + type.klass() + " " + recordId + " to "
				+ recipients + "; " + (receives ? "the client is among them" : "the client is not among them")
				+ (matched.isEmpty() ? "." : " (its keys " + matched + " are named).");
		return new Explanation(type.klass(), recordId, true, receives, policyName, recipients.toString(), matched,
				List.of(), reason);
	}

	/**
	 * Resolves every entity's policy, so that a policy declared twice fails start-up.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		this.types.values().forEach(SyncableType::policy);
	}

	/**
	 * The syncable class of an entity class or of one of its subclasses (such as a
	 * lazy-loading proxy's class).
	 * @param javaType an entity class
	 * @return the syncable class, or {@code null} if it is not syncable
	 */
	@SuppressWarnings("unchecked")
	@Nullable <T> SyncableType<T> find(Class<T> javaType) {
		for (Class<?> candidate = javaType; candidate != null; candidate = candidate.getSuperclass()) {
			SyncableType<?> type = this.types.get(candidate);
			if (type != null) {
				return (SyncableType<T>) type;
			}
		}
		return null;
	}

	/**
	 * The syncable class of a klass name.
	 * @param klass the klass name
	 * @return the syncable class, or {@code null} if there is none of that name
	 */
	@Nullable SyncableType<?> find(String klass) {
		return this.types.values().stream().filter((candidate) -> candidate.klass().equals(klass)).findFirst().orElse(null);
	}

	JsonMapper jsonMapper() {
		return this.jsonMapper;
	}

	EntitySnapshots snapshots() {
		return this.snapshots;
	}

	/**
	 * A record's attributes: the entity as the application's JSON mapper writes it.
	 * @param type the syncable class
	 * @param entity the entity
	 * @return the attributes, {@code id} included
	 */
	ObjectNode attributesOf(SyncableType<?> type, Object entity) {
		JsonNode json = this.jsonMapper.valueToTree(entity);
		JsonNode id = (json instanceof ObjectNode) ? json.get("id") : null;
		if (id == null || id.isNull()) {
			throw new IllegalStateException("A @Syncable " + type.klass() + " must be written as a JSON object with "
					+ "its id as attribute 'id', but was written as " + json);
		}
		return (ObjectNode) json;
	}

	private static List<SyncableType<?>> scan(EntityManagerFactory entityManagerFactory,
			Function<Class<?>, SyncroPolicy<?>> policies) {
		SessionFactoryImplementor sessionFactory;
		try {
			sessionFactory = entityManagerFactory.unwrap(SessionFactoryImplementor.class);
		}
		catch (PersistenceException ex) {
			throw new IllegalStateException("Recording @Syncable entities needs Hibernate as the JPA provider", ex);
		}
		List<SyncableType<?>> types = new ArrayList<>();
		Map<String, Class<?>> klasses = new LinkedHashMap<>();
		for (EntityType<?> entity : entityManagerFactory.getMetamodel().getEntities()) {
			Class<?> javaType = entity.getJavaType();
			Syncable syncable = (javaType != null) ? javaType.getAnnotation(Syncable.class) : null;
			if (syncable == null) {
				continue;
			}
			SyncableType<?> type = check(entity, syncable, sessionFactory, policies);
			Class<?> other = klasses.putIfAbsent(type.klass(), javaType);
			if (other != null) {
				throw new IllegalStateException("@Syncable entities " + other.getName() + " and " + javaType.getName()
						+ " both have the klass name '" + type.klass()
						+ "'; give one another name with @Syncable(\"…\")");
			}
			types.add(type);
		}
		return types;
	}

	private static <T> SyncableType<T> check(EntityType<T> entity, Syncable syncable,
			SessionFactoryImplementor sessionFactory, Function<Class<?>, SyncroPolicy<?>> policies) {
		Class<T> javaType = entity.getJavaType();
		String name = javaType.getName();
		String klass = syncable.value().isEmpty() ? javaType.getSimpleName() : syncable.value();
		if (klass.length() > Scribe.MAX_KLASS_LENGTH) {
			throw new IllegalStateException("The klass name of @Syncable entity " + name + " is longer than "
					+ Scribe.MAX_KLASS_LENGTH + " characters");
		}
		if (!entity.hasSingleIdAttribute()) {
			throw new IllegalStateException("@Syncable entity " + name
					+ " has a composite id; it needs a single id attribute named 'id'");
		}
		SingularAttribute<? super T, ?> id = entity.getId(entity.getIdType().getJavaType());
		if (!"id".equals(id.getName())) {
			throw new IllegalStateException("@Syncable entity " + name + " has its id in attribute '" + id.getName()
					+ "'; scribes name a record's id 'id', so rename the attribute to 'id'");
		}
		if (!SyncableType.isAssignableIdType(id.getJavaType())) {
			throw new IllegalStateException("@Syncable entity " + name + " has an id of type "
					+ id.getJavaType().getName() + "; use String (UUID text recommended), UUID, long or int");
		}
		Generator generator = sessionFactory.getMappingMetamodel().getEntityDescriptor(javaType).getGenerator();
		if (!(generator instanceof Assigned)) {
			throw new IllegalStateException("@Syncable entity " + name + " has a generated id (@GeneratedValue or "
					+ "another id generator); clients create records offline, so ids must be assigned by whoever "
					+ "creates the record: remove the generator and assign ids, for example UUID strings");
		}
		return new SyncableType<>(javaType, klass, id.getJavaType(), policies);
	}

	private static SyncroPolicy<?> policyBean(ListableBeanFactory beanFactory, Class<?> type) {
		String[] names = beanFactory.getBeanNamesForType(ResolvableType.forClassWithGenerics(SyncroPolicy.class, type));
		if (names.length > 1) {
			throw new IllegalStateException("@Syncable entity " + type.getName() + " has more than one SyncroPolicy: "
					+ Arrays.toString(names) + "; declare one per entity type");
		}
		return (names.length == 1) ? beanFactory.getBean(names[0], SyncroPolicy.class) : DEFAULT_POLICY;
	}

}

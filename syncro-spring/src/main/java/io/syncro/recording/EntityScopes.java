package io.syncro.recording;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.syncro.play.Syncable;
import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import io.syncro.scope.ScopedRecords;
import io.syncro.scope.Scopes;
import io.syncro.scope.Subscription;
import io.syncro.scribe.Identity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Path;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.data.jpa.domain.Specification;
import org.springframework.orm.jpa.EntityManagerFactoryUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * The {@link SyncroScope} beans of an application, as the engine's {@link Scopes}. A
 * scope's records are read with JPA criteria queries, its {@code Specification} and the
 * record id as bound parameters, in a transaction of their own, and each is given to the
 * client only when the entity's policy gives it to the client.
 *
 * @since 0.2.0
 */
public final class EntityScopes implements Scopes {

	/** The most rows read in one query for a page. */
	private static final int ROWS_PER_QUERY = 500;

	private final SyncableEntities entities;

	private final Map<String, SyncroScope<?>> scopes = new LinkedHashMap<>();

	private final EntityManagerFactory entityManagerFactory;

	private final TransactionTemplate transactions;

	/**
	 * Creates the scopes.
	 * @param entities the syncable entities the scopes narrow
	 * @param scopes the declared scopes
	 * @param entityManagerFactory where the entities are
	 * @param transactionManager runs each read in a transaction
	 * @throws IllegalStateException for two scopes of one name, or a scope of an entity
	 * that is not {@link Syncable}
	 */
	public EntityScopes(SyncableEntities entities, Collection<SyncroScope<?>> scopes,
			EntityManagerFactory entityManagerFactory, PlatformTransactionManager transactionManager) {
		this.entities = entities;
		this.entityManagerFactory = entityManagerFactory;
		this.transactions = new TransactionTemplate(transactionManager);
		for (SyncroScope<?> scope : scopes) {
			Assert.state(entities.find(scope.entityType()) != null, () -> "The scope '" + scope.name() + "' narrows "
					+ scope.entityType().getName() + ", which is not a @Syncable entity");
			Assert.state(this.scopes.putIfAbsent(scope.name(), scope) == null,
					() -> "Two scopes are named '" + scope.name() + "'");
		}
	}

	/**
	 * The names of the declared scopes.
	 * @return the names
	 */
	public Collection<String> names() {
		return List.copyOf(this.scopes.keySet());
	}

	@Override
	public String klassOf(String scope) {
		return type(scope(scope)).klass();
	}

	@Override
	public String klass(String klass) {
		if (this.entities.find(klass) == null) {
			throw new SyncroException(ErrorCodes.NOT_FOUND, "There is no synchronised class named '"
					+ ((klass.length() <= 64) ? klass : klass.substring(0, 64) + "…") + "'.");
		}
		return klass;
	}

	@Override
	public Subscription subscription(String name, JsonNode params, Identity who) {
		SyncroScope<?> scope = scope(name);
		Object bound = bind(scope, params);
		Specification<?> query = this.transactions.execute((status) -> scope.specification(bound, who));
		return new Subscription(name, params.deepCopy(), type(scope).klass(), query);
	}

	@Override
	@SuppressWarnings("unchecked")
	public ScopedRecords records(String klass, List<Subscription> subscriptions, Identity who) {
		SyncableType<Object> type = (SyncableType<Object>) this.entities.find(klass);
		Assert.state(type != null, () -> "There is no synchronised class named '" + klass + "'");
		List<Specification<Object>> queries = new ArrayList<>();
		subscriptions.forEach((subscription) -> queries.add((Specification<Object>) subscription.query()));
		return new Records<>(type, queries.isEmpty() ? Specification.unrestricted() : Specification.anyOf(queries), who);
	}

	private SyncroScope<?> scope(String name) {
		SyncroScope<?> scope = this.scopes.get(name);
		if (scope == null) {
			throw Scopes.unknown(name);
		}
		return scope;
	}

	private SyncableType<?> type(SyncroScope<?> scope) {
		return this.entities.find(scope.entityType());
	}

	private Object bind(SyncroScope<?> scope, JsonNode params) {
		ObjectReader reader = this.entities.jsonMapper()
			.readerFor(scope.paramsType())
			.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
					DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
					DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
		try {
			Object bound = reader.readValue(params);
			if (bound == null) {
				throw new IllegalArgumentException("no parameters");
			}
			return bound;
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw SyncroException.badRequest("The parameters of scope '" + scope.name() + "' are not valid"
					+ ((ex instanceof JacksonException jackson) ? ": " + jackson.getOriginalMessage() : "."));
		}
	}

	/**
	 * The records of one klass under some of its scopes (or all its records), as one
	 * client receives them.
	 */
	private final class Records<T> implements ScopedRecords {

		private final SyncableType<T> type;

		private final Specification<T> query;

		private final Identity who;

		Records(SyncableType<T> type, Specification<T> query, Identity who) {
			this.type = type;
			this.query = query;
			this.who = who;
		}

		@Override
		public Page after(@Nullable String after, int limit) {
			return EntityScopes.this.transactions.execute((status) -> {
				List<ObjectNode> records = new ArrayList<>();
				String cursor = after;
				boolean more = true;
				while (more && records.isEmpty()) {
					List<T> rows = select(cursor, null, Math.min(limit, ROWS_PER_QUERY));
					more = rows.size() == Math.min(limit, ROWS_PER_QUERY);
					for (T row : rows) {
						cursor = String.valueOf(EntityScopes.this.entities.snapshots().idOf(row));
						if (receives(row)) {
							records.add(EntityScopes.this.entities.attributesOf(this.type, row));
						}
					}
				}
				return new Page(records, more ? cursor : null);
			});
		}

		@Override
		public @Nullable ObjectNode find(String recordId) {
			return EntityScopes.this.transactions.execute((status) -> {
				List<T> rows = select(null, recordId, 1);
				return (rows.isEmpty() || !receives(rows.get(0))) ? null
						: EntityScopes.this.entities.attributesOf(this.type, rows.get(0));
			});
		}

		private boolean receives(T record) {
			return this.type.policy().recipients(record).includes(this.who);
		}

		/**
		 * The records of the query after a cursor, or the one with an id, in id order; ids
		 * and the query's values are bound parameters.
		 */
		private List<T> select(@Nullable String after, @Nullable String id, int limit) {
			EntityManager entityManager = EntityManagerFactoryUtils
				.getTransactionalEntityManager(EntityScopes.this.entityManagerFactory);
			Assert.state(entityManager != null, "No transactional EntityManager");
			CriteriaBuilder builder = entityManager.getCriteriaBuilder();
			CriteriaQuery<T> query = builder.createQuery(this.type.javaType());
			Root<T> root = query.from(this.type.javaType());
			Path<Comparable<Object>> recordId = root.get("id");
			List<Predicate> where = new ArrayList<>();
			Predicate selected = this.query.toPredicate(root, query, builder);
			if (selected != null) {
				where.add(selected);
			}
			try {
				if (after != null) {
					where.add(builder.greaterThan(recordId, idValue(after)));
				}
				if (id != null) {
					where.add(builder.equal(recordId, idValue(id)));
				}
			}
			catch (RuntimeException ex) {
				return List.of();
			}
			query.select(root).where(where.toArray(Predicate[]::new)).orderBy(builder.asc(recordId));
			return entityManager.createQuery(query).setMaxResults(limit).getResultList();
		}

		@SuppressWarnings("unchecked")
		private Comparable<Object> idValue(String text) {
			return (Comparable<Object>) this.type.parseId(text);
		}

	}

}

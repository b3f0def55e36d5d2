package io.syncro.recording;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnitUtil;
import jakarta.persistence.criteria.CriteriaQuery;
import org.hibernate.Hibernate;
import org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.jspecify.annotations.Nullable;

import org.springframework.orm.jpa.EntityManagerFactoryUtils;
import org.springframework.orm.jpa.EntityManagerHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link EntitySnapshots} from Hibernate's persistence context. A record's previous
 * state is the state Hibernate loaded it with, or last wrote it with
 * ({@link EntityEntry#getLoadedState()}), copied into a new instance; reading it loads
 * the record into the transaction's persistence context if it is not there yet, which
 * the save or delete that follows would do anyway.
 */
final class JpaEntitySnapshots implements EntitySnapshots {

	private final EntityManagerFactory entityManagerFactory;

	private final PersistenceUnitUtil persistenceUnitUtil;

	JpaEntitySnapshots(EntityManagerFactory entityManagerFactory) {
		this.entityManagerFactory = entityManagerFactory;
		this.persistenceUnitUtil = entityManagerFactory.getPersistenceUnitUtil();
	}

	@Override
	public @Nullable Object idOf(Object entity) {
		return this.persistenceUnitUtil.getIdentifier(entity);
	}

	@Override
	public Object unproxy(Object entity) {
		return Hibernate.unproxy(entity);
	}

	@Override
	public @Nullable Object load(Class<?> type, Object id) {
		EntityManager entityManager = transactionalEntityManager();
		if (entityManager == null) {
			try (EntityManager own = this.entityManagerFactory.createEntityManager()) {
				return own.find(type, id);
			}
		}
		Object found = entityManager.find(type, id);
		return (found != null) ? asLoaded(entityManager, found) : null;
	}

	@Override
	public List<Object> loadAll(Class<?> type) {
		EntityManager entityManager = transactionalEntityManager();
		if (entityManager == null) {
			try (EntityManager own = this.entityManagerFactory.createEntityManager()) {
				return new ArrayList<>(all(own, type));
			}
		}
		List<Object> records = new ArrayList<>();
		for (Object found : all(entityManager, type)) {
			records.add(asLoaded(entityManager, found));
		}
		return records;
	}

	@Override
	public void flush() {
		Object resource = TransactionSynchronizationManager.getResource(this.entityManagerFactory);
		if (resource instanceof EntityManagerHolder holder) {
			holder.getEntityManager().flush();
		}
	}

	private @Nullable EntityManager transactionalEntityManager() {
		return EntityManagerFactoryUtils.getTransactionalEntityManager(this.entityManagerFactory);
	}

	private static <T> List<T> all(EntityManager entityManager, Class<T> type) {
		CriteriaQuery<T> query = entityManager.getCriteriaBuilder().createQuery(type);
		return entityManager.createQuery(query.select(query.from(type))).getResultList();
	}

	/**
	 * A copy of a managed entity holding the state Hibernate last loaded or wrote, so an
	 * entity changed in place still shows what it was.
	 */
	private static Object asLoaded(EntityManager entityManager, Object managed) {
		SessionImplementor session = entityManager.unwrap(SessionImplementor.class);
		PersistenceContext context = session.getPersistenceContextInternal();
		Object entity = context.unproxy(managed);
		EntityEntry entry = context.getEntry(entity);
		Object[] loadedState = (entry != null) ? entry.getLoadedState() : null;
		if (entry == null || loadedState == null) {
			return entity;
		}
		EntityPersister persister = entry.getPersister();
		Object copy = persister.instantiate(entry.getId(), session);
		Object[] values = loadedState.clone();
		for (int i = 0; i < values.length; i++) {
			if (values[i] == LazyPropertyInitializer.UNFETCHED_PROPERTY) {
				// never loaded, so never changed: the managed entity's value is the old one
				values[i] = persister.getValue(entity, i);
			}
		}
		persister.setValues(copy, values);
		persister.setIdentifier(copy, entry.getId(), session);
		return copy;
	}

}

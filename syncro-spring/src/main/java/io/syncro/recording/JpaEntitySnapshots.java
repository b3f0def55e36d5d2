package io.syncro.recording;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceUnitUtil;
import jakarta.persistence.criteria.CriteriaQuery;
import org.hibernate.Hibernate;
import org.hibernate.LockMode;
import org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.orm.jpa.EntityManagerFactoryUtils;
import org.springframework.orm.jpa.EntityManagerHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link EntitySnapshots} from Hibernate's persistence context. A record's previous
 * state is the state Hibernate loaded it with, or last wrote it with
 * ({@link EntityEntry#getLoadedState()}), copied into a new instance; reading it loads
 * the record into the transaction's persistence context if it is not there yet, which
 * the save or delete that follows would do anyway.
 * <p>
 * In a transaction, records are read with a write lock ({@code SELECT … FOR UPDATE}),
 * held until the transaction ends: no other transaction can change a record between the
 * read of its previous state and the write that the recorder describes against it. Without
 * the lock, a change committed in between would be overwritten by the write (Hibernate
 * updates every column) while the recorded scribe, a diff against the older state, would
 * not mention it, and clients would keep a value the database no longer has. A record the
 * transaction had already read without a lock is locked then, and checked against the
 * database: if another transaction changed it since, the save fails with an
 * {@link OptimisticLockingFailureException}, as it would with optimistic locking.
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
		Object found = lockedFind(entityManager, type, id);
		return (found != null) ? asLoaded(entityManager, found) : null;
	}

	@Override
	public <T> @Nullable T find(Class<T> type, Object id) {
		EntityManager entityManager = transactionalEntityManager();
		return (entityManager != null) ? lockedFind(entityManager, type, id) : null;
	}

	private static <T> @Nullable T lockedFind(EntityManager entityManager, Class<T> type, Object id) {
		SessionImplementor session = entityManager.unwrap(SessionImplementor.class);
		EntityPersister persister = session.getEntityPersister(type.getName(), type);
		Object managed = session.getPersistenceContextInternal()
			.getEntity(session.generateEntityKey(id, persister));
		boolean readWithoutLock = managed != null && !isWriteLocked(session, managed);
		T found = entityManager.find(type, id, LockModeType.PESSIMISTIC_WRITE);
		if (readWithoutLock && found != null) {
			checkCurrent(session, persister, found, id);
		}
		return found;
	}

	private static boolean isWriteLocked(SessionImplementor session, Object managed) {
		EntityEntry entry = session.getPersistenceContextInternal().getEntry(managed);
		return entry != null && !entry.getLockMode().lessThan(LockMode.PESSIMISTIC_WRITE);
	}

	/**
	 * Fails if a record read earlier in this transaction without a lock was changed by
	 * another transaction since: Hibernate's write would overwrite that change with values
	 * the recorder cannot tell from the ones the application meant to write.
	 */
	private static void checkCurrent(SessionImplementor session, EntityPersister persister, Object managed, Object id) {
		EntityEntry entry = session.getPersistenceContextInternal().getEntry(managed);
		Object[] loadedState = (entry != null) ? entry.getLoadedState() : null;
		if (loadedState == null) {
			return;
		}
		Object[] current = persister.getDatabaseSnapshot(id, session);
		if (current == null || persister.findModified(current, loadedState, managed, session) != null) {
			throw new OptimisticLockingFailureException("The " + persister.getEntityName() + " with id " + id
					+ " was changed by another transaction after this one read it; read it again and retry");
		}
	}

	@Override
	public List<Object> loadAll(Class<?> type) {
		EntityManager entityManager = transactionalEntityManager();
		if (entityManager == null) {
			try (EntityManager own = this.entityManagerFactory.createEntityManager()) {
				return new ArrayList<>(all(own, type, LockModeType.NONE));
			}
		}
		SessionImplementor session = entityManager.unwrap(SessionImplementor.class);
		Set<Object> readWithoutLock = Collections.newSetFromMap(new IdentityHashMap<>());
		for (Map.Entry<Object, EntityEntry> managed : session.getPersistenceContextInternal().reentrantSafeEntityEntries()) {
			if (type.isInstance(managed.getKey()) && managed.getValue().getLockMode().lessThan(LockMode.PESSIMISTIC_WRITE)) {
				readWithoutLock.add(managed.getKey());
			}
		}
		List<?> found = all(entityManager, type, LockModeType.PESSIMISTIC_WRITE);
		List<Object> records = new ArrayList<>(found.size());
		for (Object record : found) {
			if (readWithoutLock.contains(record)) {
				checkCurrent(session, session.getEntityPersister(null, record), record, this.persistenceUnitUtil.getIdentifier(record));
			}
			records.add(asLoaded(entityManager, record));
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

	private static <T> List<T> all(EntityManager entityManager, Class<T> type, LockModeType lock) {
		CriteriaQuery<T> query = entityManager.getCriteriaBuilder().createQuery(type);
		return entityManager.createQuery(query.select(query.from(type))).setLockMode(lock).getResultList();
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

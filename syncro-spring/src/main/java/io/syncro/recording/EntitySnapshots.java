package io.syncro.recording;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Reads records as they were before a change, from the persistence context or the
 * database, so that an entity changed in place and then saved still diffs against its
 * previous state.
 */
interface EntitySnapshots {

	/**
	 * The id of an entity.
	 * @param entity the entity
	 * @return its id, or {@code null} if it has none yet
	 */
	@Nullable Object idOf(Object entity);

	/**
	 * The entity itself if it is a lazy-loading proxy's target, else the entity.
	 * @param entity an entity or a proxy of one
	 * @return the entity
	 */
	Object unproxy(Object entity);

	/**
	 * A record as it was last loaded or written in the current unit of work, as an
	 * instance that later changes to the managed entity do not touch.
	 * @param type the entity class
	 * @param id the record's id
	 * @return the record as it was, or {@code null} if it does not exist
	 */
	@Nullable Object load(Class<?> type, Object id);

	/**
	 * A managed record of the current transaction, read with a write lock held until the
	 * transaction ends, for a change that reads the record, changes it and saves it.
	 * @param <T> the entity class
	 * @param type the entity class
	 * @param id the record's id
	 * @return the record, or {@code null} if it does not exist or there is no transaction
	 */
	<T> @Nullable T find(Class<T> type, Object id);

	/**
	 * Every record of a class, each as {@link #load} returns it.
	 * @param type the entity class
	 * @return the records
	 */
	List<Object> loadAll(Class<?> type);

	/**
	 * Writes the pending changes of the current transaction to the database.
	 */
	void flush();

}

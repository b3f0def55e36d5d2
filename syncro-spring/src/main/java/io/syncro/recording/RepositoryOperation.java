package io.syncro.recording;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * The repository methods the recorder intercepts, by what they change.
 */
enum RepositoryOperation {

	/** {@code save(entity)}, {@code saveAndFlush(entity)}. */
	SAVE,

	/** {@code saveAll(entities)}, {@code saveAllAndFlush(entities)}. */
	SAVE_ALL,

	/** {@code delete(entity)}. */
	DELETE,

	/** {@code deleteById(id)}. */
	DELETE_BY_ID,

	/** {@code deleteAll(entities)}, {@code deleteAllInBatch(entities)}. */
	DELETE_ALL,

	/** {@code deleteAllById(ids)}, {@code deleteAllByIdInBatch(ids)}. */
	DELETE_ALL_BY_ID,

	/** {@code deleteAll()}, {@code deleteAllInBatch()}. */
	DELETE_EVERYTHING;

	/**
	 * The operation of a repository method.
	 * @param method a repository method
	 * @return its operation, or {@code null} if it is not one the recorder intercepts
	 */
	static @Nullable RepositoryOperation of(Method method) {
		int count = method.getParameterCount();
		boolean one = count == 1;
		boolean iterable = one && Iterable.class.isAssignableFrom(method.getParameterTypes()[0]);
		return switch (method.getName()) {
			case "save", "saveAndFlush" -> one ? SAVE : null;
			case "saveAll", "saveAllAndFlush" -> iterable ? SAVE_ALL : null;
			case "delete" -> one ? DELETE : null;
			case "deleteById" -> one ? DELETE_BY_ID : null;
			case "deleteAll", "deleteAllInBatch" -> (count == 0) ? DELETE_EVERYTHING : iterable ? DELETE_ALL : null;
			case "deleteAllById", "deleteAllByIdInBatch" -> iterable ? DELETE_ALL_BY_ID : null;
			default -> null;
		};
	}

}

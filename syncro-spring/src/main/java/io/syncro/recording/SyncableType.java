package io.syncro.recording;

import java.util.UUID;
import java.util.function.Function;

import io.syncro.play.Syncable;
import io.syncro.play.SyncroPolicy;
import io.syncro.protocol.SyncroException;
import org.jspecify.annotations.Nullable;

/**
 * One {@link Syncable} entity class: its klass name, its id type and its policy.
 *
 * @param <T> the entity type
 */
final class SyncableType<T> {

	private final Class<T> javaType;

	private final String klass;

	private final Class<?> idType;

	private final Function<Class<?>, SyncroPolicy<?>> policies;

	private volatile @Nullable SyncroPolicy<T> policy;

	/**
	 * Creates the description of a syncable class.
	 * @param javaType the entity class
	 * @param klass its name in scribes
	 * @param idType the type of its id attribute
	 * @param policies finds the policy of an entity class, resolved on first use
	 */
	SyncableType(Class<T> javaType, String klass, Class<?> idType, Function<Class<?>, SyncroPolicy<?>> policies) {
		this.javaType = javaType;
		this.klass = klass;
		this.idType = idType;
		this.policies = policies;
	}

	Class<T> javaType() {
		return this.javaType;
	}

	String klass() {
		return this.klass;
	}

	@SuppressWarnings("unchecked")
	SyncroPolicy<T> policy() {
		SyncroPolicy<T> resolved = this.policy;
		if (resolved == null) {
			resolved = (SyncroPolicy<T>) this.policies.apply(this.javaType);
			this.policy = resolved;
		}
		return resolved;
	}

	RecordKey key(Object id) {
		return new RecordKey(this.klass, String.valueOf(id));
	}

	/**
	 * The id of a record given as text in a scribe, as the entity's id type.
	 * @param recordId the id from a scribe
	 * @return the id
	 * @throws SyncroException with code 400 if it is not an id of this class
	 */
	Object parseId(String recordId) {
		Object id;
		try {
			id = parse(recordId);
		}
		catch (IllegalArgumentException ex) {
			id = null;
		}
		// only the canonical text: "042" or an upper-case UUID would name another record
		if (id == null || !String.valueOf(id).equals(recordId)) {
			throw SyncroException.badRequest("'" + recordId + "' is not a valid id of a " + this.klass + ".");
		}
		return id;
	}

	private Object parse(String recordId) {
		if (this.idType == String.class) {
			return recordId;
		}
		if (this.idType == UUID.class) {
			return UUID.fromString(recordId);
		}
		if (this.idType == Long.class || this.idType == long.class) {
			return Long.parseLong(recordId);
		}
		return Integer.parseInt(recordId);
	}

	/**
	 * Whether a type is allowed as the id of a syncable class.
	 * @param type an id type
	 * @return whether clients can assign ids of that type
	 */
	static boolean isAssignableIdType(Class<?> type) {
		return type == String.class || type == UUID.class || type == Long.class || type == long.class
				|| type == Integer.class || type == int.class;
	}

	@Override
	public String toString() {
		return this.klass + " (" + this.javaType.getName() + ")";
	}

}

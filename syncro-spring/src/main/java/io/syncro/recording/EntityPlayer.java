package io.syncro.recording;

import io.syncro.play.Player;
import io.syncro.play.Syncable;
import io.syncro.protocol.SyncroException;
import io.syncro.recording.RecordingContext.Playing;
import io.syncro.scribe.Changes;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.repository.CrudRepository;

/**
 * Plays inbound scribes of one {@link Syncable} entity through its repository, in the
 * caller's transaction, so the recorder records the change with the sending client as
 * origin (PROTOCOL.md section 4):
 * <ul>
 * <li>{@code create}: a new entity read from the attributes, saved; of an existing id, an
 * update of the attributes that differ, authorised and recorded as an update;</li>
 * <li>{@code update}: the record loaded (404 if missing), the given attributes applied,
 * saved;</li>
 * <li>{@code destroy}: the record deleted; success if it is already gone.</li>
 * </ul>
 * The entity's policy authorises each first (403 if it refuses). Attributes are read with
 * the application's JSON mapper, failing on unknown attributes: an attribute that is
 * unknown or of the wrong type, an id in an update, or a change the database refuses for
 * breaking a constraint is a 400. With a {@link JpaRepository} each change is flushed, so
 * a constraint is checked here rather than at commit.
 *
 * @param <T> the entity type
 */
final class EntityPlayer<T> implements Player {

	private final SyncableType<T> type;

	private final CrudRepository<T, Object> repository;

	private final SyncableEntities entities;

	private final ObjectReader reader;

	EntityPlayer(SyncableType<T> type, CrudRepository<T, Object> repository, SyncableEntities entities) {
		this.type = type;
		this.repository = repository;
		this.entities = entities;
		this.reader = entities.jsonMapper().readerFor(type.javaType())
			.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
	}

	@Override
	public void play(Scribe scribe, String client) {
		play(scribe, Identity.anonymous(client));
	}

	@Override
	public void play(Scribe scribe, Identity client) {
		if (!scribe.klass().equals(this.type.klass())) {
			throw new IllegalArgumentException(
					"A " + scribe.klass() + " scribe cannot be played into " + this.type.klass());
		}
		Object id = this.type.parseId(scribe.recordId());
		RecordKey key = this.type.key(id);
		RecordingContext.playing(new Playing(client, key, scribe.attributes()), () -> {
			play(scribe, client, id);
			return null;
		});
	}

	/**
	 * Plays a scribe on the record as the client may know it: a record the client does
	 * not receive is answered as a missing one, so that no answer tells it the record
	 * exists (a create of its id is refused as a create the policy refuses would be).
	 */
	private void play(Scribe scribe, Identity client, Object id) {
		T existing = existing(id);
		boolean hidden = existing != null && !this.type.policy().recipients(existing).includes(client);
		if (scribe.type() == ScribeType.CREATE) {
			if (existing == null) {
				authorize(scribe, client, null);
				save(read(scribe.attributes()), scribe);
			}
			else if (hidden) {
				throw notAuthorised(scribe);
			}
			else {
				update(asUpdate(scribe, existing), client, existing);
			}
		}
		else if (scribe.type() == ScribeType.UPDATE) {
			if (existing == null || hidden) {
				throw SyncroException
					.notFound("There is no " + this.type.klass() + " with id " + scribe.recordId() + ".");
			}
			update(scribe, client, existing);
		}
		else {
			authorize(scribe, client, hidden ? null : existing);
			if (existing != null && !hidden) {
				destroy(existing, scribe);
			}
		}
	}

	/**
	 * The record the scribe changes, read with a write lock held until the play's
	 * transaction ends, so that no other change of it can come between this read and the
	 * play's write (and the write's scribe describes exactly what was written).
	 */
	private @Nullable T existing(Object id) {
		T locked = this.entities.snapshots().find(this.type.javaType(), id);
		return (locked != null) ? locked : this.repository.findById(id).orElse(null);
	}

	private void update(Scribe scribe, Identity client, T existing) {
		ObjectNode attributes = scribe.attributes();
		if (attributes.has("id")) {
			throw SyncroException.badRequest("An update cannot change a record's id.");
		}
		authorize(scribe, client, existing);
		if (attributes.isEmpty()) {
			return;
		}
		// read the record with the changes into a new instance first, so a bad attribute
		// leaves the managed entity as it was (and attributes the update leaves out, such as
		// a primitive, keep their values)
		ObjectNode merged = this.entities.attributesOf(this.type, existing).deepCopy();
		merged.setAll(attributes);
		read(merged);
		try {
			this.entities.jsonMapper()
				.readerForUpdating(existing)
				.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
				.readValue(attributes);
		}
		catch (JacksonException ex) {
			throw unreadable(ex);
		}
		save(existing, scribe);
	}

	/**
	 * The update that a create of an existing record is played as: the attributes it
	 * gives that differ from the record's, compared as the server writes them (so that a
	 * number read as an int and the same number held as a long are equal).
	 */
	private Scribe asUpdate(Scribe create, T existing) {
		ObjectNode current = this.entities.attributesOf(this.type, existing);
		ObjectNode given = this.entities.attributesOf(this.type, read(create.attributes()));
		ObjectNode changed = current.deepCopy();
		for (String name : create.attributes().propertyNames()) {
			if (given.has(name)) {
				changed.set(name, given.get(name));
			}
		}
		return Scribe.update(this.type.klass(), create.recordId(), Changes.diff(current, changed)).withId(create.id());
	}

	private void authorize(Scribe scribe, Identity client, @Nullable T existing) {
		if (!this.type.policy().authorize(scribe, client, existing)) {
			throw notAuthorised(scribe);
		}
	}

	private SyncroException notAuthorised(Scribe scribe) {
		return SyncroException.forbidden("The " + scribe.type().wireName() + " of " + this.type.klass() + " "
				+ scribe.recordId() + " is not authorised.");
	}

	private T read(ObjectNode attributes) {
		try {
			return this.reader.readValue(attributes);
		}
		catch (JacksonException ex) {
			throw unreadable(ex);
		}
	}

	private SyncroException unreadable(JacksonException ex) {
		String attribute = (ex instanceof UnrecognizedPropertyException unknown) ? unknown.getPropertyName()
				: ex.getPath().isEmpty() ? null : ex.getPath().get(0).getPropertyName();
		if (ex instanceof UnrecognizedPropertyException) {
			return SyncroException.badRequest(this.type.klass() + " has no attribute '" + attribute + "' to set.");
		}
		if (attribute != null) {
			return SyncroException.badRequest("The attribute '" + attribute + "' of " + this.type.klass()
					+ " has a value of the wrong type.");
		}
		return SyncroException.badRequest("The attributes of " + this.type.klass() + " cannot be read.");
	}

	private void save(T entity, Scribe scribe) {
		try {
			if (this.repository instanceof JpaRepository<T, Object> jpaRepository) {
				jpaRepository.saveAndFlush(entity);
			}
			else {
				this.repository.save(entity);
			}
		}
		catch (DataIntegrityViolationException ex) {
			throw refused(ex, scribe);
		}
	}

	private void destroy(T entity, Scribe scribe) {
		try {
			this.repository.delete(entity);
			if (this.repository instanceof JpaRepository<T, Object> jpaRepository) {
				jpaRepository.flush();
			}
		}
		catch (DataIntegrityViolationException ex) {
			throw refused(ex, scribe);
		}
	}

	private RuntimeException refused(DataIntegrityViolationException ex, Scribe scribe) {
		if (ex instanceof DuplicateKeyException) {
			// most likely a concurrent create of the same id: transient, a retry plays it as an update
			return ex;
		}
		return SyncroException.badRequest("The " + scribe.type().wireName() + " of " + this.type.klass() + " "
				+ scribe.recordId() + " breaks a constraint of the database.");
	}

}

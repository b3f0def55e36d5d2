package io.syncro.sample.todo;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.syncro.play.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Persistable;

/**
 * A todo: one without a list is shared, every client receives it and may change it; one
 * in a {@link TodoList} reaches only the list's members, who alone may change it.
 * <p>
 * Its id is chosen before it is stored, so it says itself whether it is new: saving a new
 * one inserts it, without the read that Spring Data's merge (and Syncro's recorder) would
 * otherwise make to find out.
 *
 * @since 0.1.0
 */
@Entity
@Syncable
public class Todo implements Persistable<String> {

	@Id
	@Column(length = 128)
	private String id;

	@Column(nullable = false, length = 2000)
	private String title;

	private boolean done;

	@Column(length = 128)
	private @Nullable String listId;

	@Transient
	private boolean stored;

	protected Todo() {
	}

	public Todo(String id, String title, boolean done) {
		this.id = id;
		this.title = title;
		this.done = done;
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	@JsonIgnore
	public boolean isNew() {
		return !this.stored;
	}

	@PostLoad
	@PostPersist
	void stored() {
		this.stored = true;
	}

	public void setId(String id) {
		this.id = id;
	}

	public String getTitle() {
		return this.title;
	}

	public void setTitle(String title) {
		this.title = title;
	}

	public boolean isDone() {
		return this.done;
	}

	public void setDone(boolean done) {
		this.done = done;
	}

	/**
	 * The list this Todo belongs to; left out of its JSON when it has none.
	 * @return the list's id, or {@code null} for a shared Todo
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public @Nullable String getListId() {
		return this.listId;
	}

	public void setListId(@Nullable String listId) {
		this.listId = listId;
	}

}

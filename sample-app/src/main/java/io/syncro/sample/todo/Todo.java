package io.syncro.sample.todo;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.syncro.recording.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.jspecify.annotations.Nullable;

/**
 * A todo: one without a list is shared, every client receives it and may change it; one
 * in a {@link TodoList} reaches only the list's members, who alone may change it.
 *
 * @since 0.1.0
 */
@Entity
@Syncable
public class Todo {

	@Id
	@Column(length = 128)
	private String id;

	@Column(nullable = false, length = 2000)
	private String title;

	private boolean done;

	@Column(length = 128)
	private @Nullable String listId;

	protected Todo() {
	}

	public Todo(String id, String title, boolean done) {
		this.id = id;
		this.title = title;
		this.done = done;
	}

	public String getId() {
		return this.id;
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

package io.syncro.sample.todo;

import io.syncro.recording.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/**
 * A shared todo: every client receives every Todo, and any client may create, update and
 * destroy them.
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

}

package io.syncro.recording.sample;

import io.syncro.play.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity
@Syncable
public class Todo {

	@Id
	private String id;

	@Column(nullable = false)
	private String title;

	private boolean done;

	private String owner;

	protected Todo() {
	}

	public Todo(String id, String title, String owner) {
		this.id = id;
		this.title = title;
		this.owner = owner;
	}

	public String getId() {
		return this.id;
	}

	public String getTitle() {
		return this.title;
	}

	/**
	 * Sets the title without surrounding blanks, a change clients do not make themselves.
	 * @param title the title
	 */
	public void setTitle(String title) {
		this.title = (title != null) ? title.strip() : null;
	}

	public boolean isDone() {
		return this.done;
	}

	public void setDone(boolean done) {
		this.done = done;
	}

	public String getOwner() {
		return this.owner;
	}

	public void setOwner(String owner) {
		this.owner = owner;
	}

}

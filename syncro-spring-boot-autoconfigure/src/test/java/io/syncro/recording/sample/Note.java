package io.syncro.recording.sample;

import io.syncro.play.Syncable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/**
 * A syncable entity with its own klass name, a numeric id and no policy.
 */
@Entity
@Syncable("Jotting")
public class Note {

	@Id
	private Long id;

	private String text;

	protected Note() {
	}

	public Note(Long id, String text) {
		this.id = id;
		this.text = text;
	}

	public Long getId() {
		return this.id;
	}

	public String getText() {
		return this.text;
	}

	public void setText(String text) {
		this.text = text;
	}

}

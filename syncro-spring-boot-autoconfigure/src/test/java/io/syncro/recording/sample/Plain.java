package io.syncro.recording.sample;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/**
 * An entity that is not synchronised.
 */
@Entity
public class Plain {

	@Id
	private String id;

	private String text;

	protected Plain() {
	}

	public Plain(String id, String text) {
		this.id = id;
		this.text = text;
	}

	public String getId() {
		return this.id;
	}

	public String getText() {
		return this.text;
	}

}

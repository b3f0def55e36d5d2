package io.syncro.recording.generated;

import io.syncro.play.Syncable;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

/**
 * A syncable entity whose id the database generates, which clients cannot work with.
 */
@Entity
@Syncable
public class Ticket {

	@Id
	@GeneratedValue
	private Long id;

	private String title;

	public Long getId() {
		return this.id;
	}

	public String getTitle() {
		return this.title;
	}

}

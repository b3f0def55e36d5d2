package io.syncro.sample.page;

import io.syncro.play.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/**
 * A user's page: every client of its owner, a user, receives it, and no other (the
 * original's "a user has many pages").
 *
 * @since 0.1.0
 */
@Entity
@Syncable
public class Page {

	@Id
	@Column(length = 128)
	private String id;

	@Column(nullable = false, length = 64)
	private String owner;

	@Column(nullable = false, length = 2000)
	private String title;

	@Column(nullable = false, length = 65536)
	private String body;

	protected Page() {
	}

	public Page(String id, String owner, String title, String body) {
		this.id = id;
		this.owner = owner;
		this.title = title;
		this.body = body;
	}

	public String getId() {
		return this.id;
	}

	public void setId(String id) {
		this.id = id;
	}

	public String getOwner() {
		return this.owner;
	}

	public void setOwner(String owner) {
		this.owner = owner;
	}

	public String getTitle() {
		return this.title;
	}

	public void setTitle(String title) {
		this.title = title;
	}

	public String getBody() {
		return this.body;
	}

	public void setBody(String body) {
		this.body = body;
	}

}

package io.syncro.recording.board;

import java.util.ArrayList;
import java.util.List;

import io.syncro.play.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/**
 * A board its members see, with the cards on it.
 */
@Entity
@Syncable
public class Board {

	@Id
	private String id;

	private String name;

	@Convert(converter = Members.class)
	@Column(length = 2000)
	private List<String> members = new ArrayList<>();

	protected Board() {
	}

	public Board(String id, String name, List<String> members) {
		this.id = id;
		this.name = name;
		this.members = new ArrayList<>(members);
	}

	public String getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public List<String> getMembers() {
		return this.members;
	}

	public void setMembers(List<String> members) {
		this.members = new ArrayList<>(members);
	}

}

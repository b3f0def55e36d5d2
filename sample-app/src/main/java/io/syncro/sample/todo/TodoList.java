package io.syncro.sample.todo;

import java.util.ArrayList;
import java.util.List;

import io.syncro.play.Syncable;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.jspecify.annotations.Nullable;

/**
 * A list of Todos shared by its members, users: the list and its Todos reach every client
 * of its members and no one else's, and only members may change them.
 *
 * @since 0.2.0
 */
@Entity
@Syncable
public class TodoList {

	@Id
	@Column(length = 128)
	private String id;

	@Column(nullable = false, length = 2000)
	private String name;

	@Convert(converter = Members.class)
	@Column(nullable = false, length = 4000)
	private List<String> members = new ArrayList<>();

	protected TodoList() {
	}

	public TodoList(String id, String name, List<String> members) {
		this.id = id;
		this.name = name;
		this.members = new ArrayList<>(members);
	}

	public String getId() {
		return this.id;
	}

	public void setId(String id) {
		this.id = id;
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

	/**
	 * Whether a user is a member.
	 * @param user a user's name, or {@code null} for none
	 * @return whether the user is a member
	 */
	public boolean hasMember(@Nullable String user) {
		return user != null && this.members.contains(user);
	}

}

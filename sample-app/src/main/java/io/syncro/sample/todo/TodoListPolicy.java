package io.syncro.sample.todo;

import java.util.List;
import java.util.Map;

import io.syncro.play.Dependent;
import io.syncro.play.SyncroPolicy;
import io.syncro.sample.Attributes;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * A list and its Todos reach every client of its members: adding a member brings them to
 * all of that user's clients, removing one takes them away. Only members may change or
 * delete a list, and whoever creates one is among its members.
 *
 * @since 0.2.0
 */
@Component
class TodoListPolicy implements SyncroPolicy<TodoList> {

	private final TodoRepository todos;

	TodoListPolicy(@Lazy TodoRepository todos) {
		this.todos = todos;
	}

	static Recipients membersOf(TodoList list) {
		return Recipients.users(list.getMembers());
	}

	@Override
	public Recipients recipients(TodoList list) {
		return membersOf(list);
	}

	@Override
	public List<Dependent> dependents(TodoList list) {
		Recipients members = membersOf(list);
		return this.todos.findByListId(list.getId()).stream().map((todo) -> new Dependent(todo, members)).toList();
	}

	@Override
	public boolean authorize(Scribe scribe, Identity who, @Nullable TodoList existing) {
		String user = who.user();
		if (user == null || (existing != null && !existing.hasMember(user))) {
			return false;
		}
		if (scribe.type() == ScribeType.CREATE && existing == null
				&& !Attributes.members(scribe.attributes().get("members")).contains(user)) {
			return false;
		}
		for (Map.Entry<String, JsonNode> attribute : scribe.attributes().properties()) {
			switch (attribute.getKey()) {
				case "name" -> Attributes.name(attribute.getValue());
				case "members" -> Attributes.members(attribute.getValue());
				default -> {
				}
			}
		}
		return true;
	}

}

package io.syncro.sample.todo;

import java.util.Map;
import java.util.Optional;

import io.syncro.play.SyncroPolicy;
import io.syncro.sample.Attributes;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A Todo without a list reaches every client, and any client may write it; a Todo of a
 * list reaches its members' clients, and only they may write it or put a Todo in it.
 *
 * @since 0.1.0
 */
@Component
class TodoPolicy implements SyncroPolicy<Todo> {

	private final TodoListRepository lists;

	TodoPolicy(TodoListRepository lists) {
		this.lists = lists;
	}

	@Override
	public Recipients recipients(Todo todo) {
		String listId = todo.getListId();
		return (listId != null) ? list(listId).map(TodoListPolicy::membersOf).orElse(Recipients.none())
				: Recipients.all();
	}

	@Override
	public boolean authorize(Scribe scribe, Identity who, @Nullable Todo existing) {
		if (existing != null && existing.getListId() != null && !isMember(existing.getListId(), who)) {
			return false;
		}
		for (Map.Entry<String, JsonNode> attribute : scribe.attributes().properties()) {
			switch (attribute.getKey()) {
				case "title" -> Attributes.title(attribute.getValue());
				case "done" -> Attributes.done(attribute.getValue());
				case "listId" -> {
					String listId = Attributes.listId(attribute.getValue());
					if (listId != null && !isMember(listId, who)) {
						return false;
					}
				}
				default -> {
				}
			}
		}
		return true;
	}

	private boolean isMember(String listId, Identity who) {
		return list(listId).filter((list) -> list.hasMember(who.user())).isPresent();
	}

	/**
	 * The list a Todo is in, locked within a transaction: without the lock, a Todo written
	 * into a list while another transaction takes a member off it could be recorded for the
	 * members it read, after that transaction looked for the list's Todos, and the member
	 * would keep it for good.
	 */
	private Optional<TodoList> list(String listId) {
		return TransactionSynchronizationManager.isActualTransactionActive() ? this.lists.findAndLockById(listId)
				: this.lists.findById(listId);
	}

}

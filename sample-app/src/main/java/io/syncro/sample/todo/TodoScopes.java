package io.syncro.sample.todo;

import io.syncro.protocol.SyncroException;
import io.syncro.recording.SyncroScope;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The scopes v2 clients subscribe to for Todos: the Todos of one list, for its members,
 * and the shared Todos, those without a list. A client subscribed to neither receives
 * every Todo its policy gives it.
 *
 * @since 0.2.0
 */
@Configuration(proxyBeanMethods = false)
class TodoScopes {

	@Bean
	SyncroScope<Todo> listTodos(TodoListRepository lists) {
		return SyncroScope.of("listTodos", Todo.class, ListParams.class, (params, who) -> {
			if (lists.findById(params.listId()).filter((list) -> list.hasMember(who.user())).isEmpty()) {
				throw SyncroException.forbidden("Only the members of a list subscribe to its Todos.");
			}
			return (root, query, builder) -> builder.equal(root.get("listId"), params.listId());
		});
	}

	@Bean
	SyncroScope<Todo> sharedTodos() {
		return SyncroScope.of("sharedTodos", Todo.class, (who) -> (root, query, builder) -> builder.isNull(root.get("listId")));
	}

	/**
	 * The parameters of {@code listTodos}.
	 * @param listId the list's id
	 */
	record ListParams(String listId) {
	}

}

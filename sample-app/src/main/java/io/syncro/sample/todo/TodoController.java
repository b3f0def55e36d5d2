package io.syncro.sample.todo;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import io.syncro.protocol.SyncroException;
import io.syncro.sample.Attributes;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Changes Todos on the server, through the repository, so every client that sees them
 * gets the change: the shared Todos (no list) and those of the caller's lists. A Todo of
 * another user's list is answered as a missing one (404), and writing a Todo into a list
 * the caller is not a member of is refused (403).
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/api/todos")
class TodoController {

	private final TodoRepository todos;

	private final TodoListRepository lists;

	TodoController(TodoRepository todos, TodoListRepository lists) {
		this.todos = todos;
		this.lists = lists;
	}

	@GetMapping
	List<Todo> list(Principal user) {
		List<String> listIds = this.lists.findByMember(user.getName()).stream().map(TodoList::getId).toList();
		return this.todos.findByListIdIsNullOrListIdInOrderByTitle(listIds);
	}

	@GetMapping("/{id}")
	Todo get(@PathVariable String id, Principal user) {
		return visible(id, user);
	}

	@PostMapping
	ResponseEntity<Todo> create(@RequestBody JsonNode body, Principal user) {
		JsonNode attributes = Attributes.object(body);
		Todo todo = new Todo(UUID.randomUUID().toString(), Attributes.title(attributes.get("title")), false);
		todo.setListId(writableList(attributes.get("listId"), user));
		return ResponseEntity.status(HttpStatus.CREATED).body(this.todos.save(todo));
	}

	@PatchMapping("/{id}")
	Todo update(@PathVariable String id, @RequestBody JsonNode body, Principal user) {
		Todo todo = visible(id, user);
		for (Map.Entry<String, JsonNode> attribute : Attributes.object(body).properties()) {
			switch (attribute.getKey()) {
				case "title" -> todo.setTitle(Attributes.title(attribute.getValue()));
				case "done" -> todo.setDone(Attributes.done(attribute.getValue()));
				case "listId" -> todo.setListId(writableList(attribute.getValue(), user));
				default -> throw SyncroException.badRequest("A Todo has no attribute '" + attribute.getKey() + "' to change.");
			}
		}
		return this.todos.save(todo);
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id, Principal user) {
		this.todos.delete(visible(id, user));
		return ResponseEntity.noContent().build();
	}

	/** A Todo the caller sees; one of another user's list is as missing as no Todo. */
	private Todo visible(String id, Principal user) {
		return this.todos.findById(id)
			.filter((todo) -> todo.getListId() == null || isMember(todo.getListId(), user))
			.orElseThrow(() -> new NoSuchElementException("There is no Todo " + id + "."));
	}

	/** The list a Todo may be written into: none, or one of the caller's. */
	private @Nullable String writableList(@Nullable JsonNode value, Principal user) {
		String listId = Attributes.listId(value);
		if (listId != null && !isMember(listId, user)) {
			throw SyncroException.forbidden("Only the members of a list may put a Todo in it.");
		}
		return listId;
	}

	private boolean isMember(String listId, Principal user) {
		return this.lists.findById(listId).filter((list) -> list.hasMember(user.getName())).isPresent();
	}

}

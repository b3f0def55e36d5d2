package io.syncro.sample.todo;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import io.syncro.protocol.SyncroException;
import io.syncro.sample.Attributes;
import tools.jackson.databind.JsonNode;

import org.springframework.data.domain.Sort;
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
 * Changes Todos on the server, through the repository, so every client sees them.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/api/todos")
class TodoController {

	private final TodoRepository todos;

	TodoController(TodoRepository todos) {
		this.todos = todos;
	}

	@GetMapping
	List<Todo> list() {
		return this.todos.findAll(Sort.by("title"));
	}

	@PostMapping
	ResponseEntity<Todo> create(@RequestBody JsonNode body) {
		Todo todo = new Todo(UUID.randomUUID().toString(), Attributes.title(Attributes.object(body).get("title")), false);
		return ResponseEntity.status(HttpStatus.CREATED).body(this.todos.save(todo));
	}

	@PatchMapping("/{id}")
	Todo update(@PathVariable String id, @RequestBody JsonNode body) {
		Todo todo = this.todos.findById(id).orElseThrow(() -> new NoSuchElementException("There is no Todo " + id + "."));
		for (Map.Entry<String, JsonNode> attribute : Attributes.object(body).properties()) {
			switch (attribute.getKey()) {
				case "title" -> todo.setTitle(Attributes.title(attribute.getValue()));
				case "done" -> todo.setDone(Attributes.done(attribute.getValue()));
				default -> throw SyncroException.badRequest("A Todo has no attribute '" + attribute.getKey() + "' to change.");
			}
		}
		return this.todos.save(todo);
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		Todo todo = this.todos.findById(id).orElseThrow(() -> new NoSuchElementException("There is no Todo " + id + "."));
		this.todos.delete(todo);
		return ResponseEntity.noContent().build();
	}

}

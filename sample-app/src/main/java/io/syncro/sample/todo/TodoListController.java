package io.syncro.sample.todo;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import io.syncro.protocol.SyncroException;
import io.syncro.sample.Attributes;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's lists: only members see a list (another user's is answered as a missing
 * one, 404) and only they change or delete it. Whoever creates a list is a member of it;
 * changing {@code members} shares the list and its Todos with the users added, live, and
 * takes them from the users removed. Deleting a list deletes its Todos.
 *
 * @since 0.2.0
 */
@RestController
@RequestMapping("/api/lists")
class TodoListController {

	private final TodoListRepository lists;

	TodoListController(TodoListRepository lists) {
		this.lists = lists;
	}

	@GetMapping
	List<TodoList> list(Principal user) {
		return this.lists.findByMember(user.getName());
	}

	@GetMapping("/{id}")
	TodoList get(@PathVariable String id, Principal user) {
		return own(id, user);
	}

	@PostMapping
	ResponseEntity<TodoList> create(@RequestBody JsonNode body, Principal user) {
		JsonNode attributes = Attributes.object(body);
		List<String> members = new ArrayList<>(List.of(user.getName()));
		if (attributes.has("members")) {
			Attributes.members(attributes.get("members")).stream().filter((member) -> !members.contains(member))
				.forEach(members::add);
		}
		TodoList list = new TodoList(UUID.randomUUID().toString(), Attributes.name(attributes.get("name")), members);
		return ResponseEntity.status(HttpStatus.CREATED).body(this.lists.save(list));
	}

	@PatchMapping("/{id}")
	TodoList update(@PathVariable String id, @RequestBody JsonNode body, Principal user) {
		TodoList list = own(id, user);
		for (Map.Entry<String, JsonNode> attribute : Attributes.object(body).properties()) {
			switch (attribute.getKey()) {
				case "name" -> list.setName(Attributes.name(attribute.getValue()));
				case "members" -> list.setMembers(Attributes.members(attribute.getValue()));
				default -> throw SyncroException.badRequest("A list has no attribute '" + attribute.getKey() + "' to change.");
			}
		}
		return this.lists.save(list);
	}

	@DeleteMapping("/{id}")
	@Transactional
	public ResponseEntity<Void> delete(@PathVariable String id, Principal user) {
		this.lists.delete(own(id, user));
		return ResponseEntity.noContent().build();
	}

	/** The caller's list; another user's is as missing as one that does not exist. */
	private TodoList own(String id, Principal user) {
		return this.lists.findById(id)
			.filter((list) -> list.hasMember(user.getName()))
			.orElseThrow(() -> new NoSuchElementException("There is no list " + id + "."));
	}

}

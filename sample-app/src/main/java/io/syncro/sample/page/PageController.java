package io.syncro.sample.page;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import io.syncro.protocol.SyncroException;
import io.syncro.sample.Attributes;
import io.syncro.sample.security.SampleUsers;
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
 * A signed-in user's Pages, changed through the repository: a user sees and changes only
 * their own (another user's Page is answered as a missing one, 404), and a PATCH of
 * {@code owner} gives a Page to another user, whose clients then get it while the old
 * owner's lose it.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/api/pages")
class PageController {

	private final PageRepository pages;

	private final SampleUsers users;

	PageController(PageRepository pages, SampleUsers users) {
		this.pages = pages;
		this.users = users;
	}

	@GetMapping
	List<Page> list(Principal user) {
		return this.pages.findByOwnerOrderByTitle(user.getName());
	}

	@GetMapping("/{id}")
	Page get(@PathVariable String id, Principal user) {
		return own(id, user);
	}

	@PostMapping
	ResponseEntity<Page> create(@RequestBody JsonNode body, Principal user) {
		JsonNode attributes = Attributes.object(body);
		String owner = attributes.has("owner") ? Attributes.owner(attributes.get("owner")) : user.getName();
		if (!owner.equals(user.getName())) {
			throw SyncroException.forbidden("A Page can only be created for yourself.");
		}
		Page page = new Page(UUID.randomUUID().toString(), owner, Attributes.title(attributes.get("title")),
				attributes.has("body") ? Attributes.body(attributes.get("body")) : "");
		return ResponseEntity.status(HttpStatus.CREATED).body(this.pages.save(page));
	}

	@PatchMapping("/{id}")
	Page update(@PathVariable String id, @RequestBody JsonNode body, Principal user) {
		Page page = own(id, user);
		for (Map.Entry<String, JsonNode> attribute : Attributes.object(body).properties()) {
			switch (attribute.getKey()) {
				case "owner" -> page.setOwner(knownUser(Attributes.owner(attribute.getValue())));
				case "title" -> page.setTitle(Attributes.title(attribute.getValue()));
				case "body" -> page.setBody(Attributes.body(attribute.getValue()));
				default -> throw SyncroException.badRequest("A Page has no attribute '" + attribute.getKey() + "' to change.");
			}
		}
		return this.pages.save(page);
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id, Principal user) {
		this.pages.delete(own(id, user));
		return ResponseEntity.noContent().build();
	}

	/** A user a Page can be given to: one who can sign in, or it would be nobody's. */
	private String knownUser(String owner) {
		if (!this.users.getUsers().containsKey(owner)) {
			throw SyncroException.badRequest("There is no user '" + owner + "' to give the Page to.");
		}
		return owner;
	}

	/** The caller's Page; another user's is as missing as one that does not exist. */
	private Page own(String id, Principal user) {
		return this.pages.findById(id)
			.filter((page) -> page.getOwner().equals(user.getName()))
			.orElseThrow(() -> new NoSuchElementException("There is no Page " + id + "."));
	}

}

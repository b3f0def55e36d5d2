package io.syncro.sample.page;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import io.syncro.protocol.SyncroException;
import io.syncro.sample.Attributes;
import org.jspecify.annotations.Nullable;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Changes Pages on the server, through the repository; a PATCH may transfer a Page to
 * another owner, whose clients then get it while the old owner's lose it.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/api/pages")
class PageController {

	private final PageRepository pages;

	PageController(PageRepository pages) {
		this.pages = pages;
	}

	@GetMapping
	List<Page> list(@RequestParam(required = false) @Nullable String owner) {
		return (owner != null) ? this.pages.findByOwnerOrderByTitle(owner) : this.pages.findAll(Sort.by("title"));
	}

	@PostMapping
	ResponseEntity<Page> create(@RequestBody JsonNode body) {
		JsonNode attributes = Attributes.object(body);
		Page page = new Page(UUID.randomUUID().toString(), Attributes.owner(attributes.get("owner")),
				Attributes.title(attributes.get("title")),
				attributes.has("body") ? Attributes.body(attributes.get("body")) : "");
		return ResponseEntity.status(HttpStatus.CREATED).body(this.pages.save(page));
	}

	@PatchMapping("/{id}")
	Page update(@PathVariable String id, @RequestBody JsonNode body) {
		Page page = this.pages.findById(id).orElseThrow(() -> new NoSuchElementException("There is no Page " + id + "."));
		for (Map.Entry<String, JsonNode> attribute : Attributes.object(body).properties()) {
			switch (attribute.getKey()) {
				case "owner" -> page.setOwner(Attributes.owner(attribute.getValue()));
				case "title" -> page.setTitle(Attributes.title(attribute.getValue()));
				case "body" -> page.setBody(Attributes.body(attribute.getValue()));
				default -> throw SyncroException.badRequest("A Page has no attribute '" + attribute.getKey() + "' to change.");
			}
		}
		return this.pages.save(page);
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		Page page = this.pages.findById(id).orElseThrow(() -> new NoSuchElementException("There is no Page " + id + "."));
		this.pages.delete(page);
		return ResponseEntity.noContent().build();
	}

}

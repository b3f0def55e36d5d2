package io.syncro.sample.page;

import java.util.Map;

import io.syncro.play.SyncroPolicy;
import io.syncro.sample.Attributes;
import io.syncro.scribe.Identity;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * A Page reaches every client of its owner, a user, and no other; a client may create a
 * Page only with its own user as owner, and update or destroy only its user's Pages,
 * never changing the owner (the REST API can move a Page to another user).
 *
 * @since 0.1.0
 */
@Component
class PagePolicy implements SyncroPolicy<Page> {

	@Override
	public Recipients recipients(Page page) {
		return Recipients.users(page.getOwner());
	}

	@Override
	public boolean authorize(Scribe scribe, Identity who, @Nullable Page existing) {
		String user = who.user();
		if (user == null || (existing != null && !existing.getOwner().equals(user))) {
			return false;
		}
		JsonNode owner = scribe.attributes().get("owner");
		if (scribe.type() == ScribeType.CREATE && existing == null && owner == null) {
			return false;
		}
		if (owner != null && (owner.isNull() || !user.equals(owner.asString()))) {
			return false;
		}
		for (Map.Entry<String, JsonNode> attribute : scribe.attributes().properties()) {
			switch (attribute.getKey()) {
				case "title" -> Attributes.title(attribute.getValue());
				case "body" -> Attributes.body(attribute.getValue());
				default -> {
				}
			}
		}
		return true;
	}

}

package io.syncro.sample.page;

import java.util.Map;

import io.syncro.play.SyncroPolicy;
import io.syncro.sample.Attributes;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeType;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Only a Page's owner receives it; a client may create a Page only with itself as owner,
 * update or destroy only its own Pages, and never change the owner.
 *
 * @since 0.1.0
 */
@Component
class PagePolicy implements SyncroPolicy<Page> {

	@Override
	public Recipients recipients(Page page) {
		return Recipients.only(page.getOwner());
	}

	@Override
	public boolean authorize(Scribe scribe, String client, @Nullable Page existing) {
		if (existing != null && !existing.getOwner().equals(client)) {
			return false;
		}
		JsonNode owner = scribe.attributes().get("owner");
		if (scribe.type() == ScribeType.CREATE && existing == null && owner == null) {
			return false;
		}
		if (owner != null && !owner.isNull() && !client.equals(owner.asString())) {
			return false;
		}
		if (owner != null && owner.isNull()) {
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

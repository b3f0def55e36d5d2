package io.syncro.sample.todo;

import java.util.Map;

import io.syncro.play.SyncroPolicy;
import io.syncro.sample.Attributes;
import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Every client receives every Todo and may write any Todo, with a valid title.
 *
 * @since 0.1.0
 */
@Component
class TodoPolicy implements SyncroPolicy<Todo> {

	@Override
	public boolean authorize(Scribe scribe, String client, @Nullable Todo existing) {
		for (Map.Entry<String, JsonNode> attribute : scribe.attributes().properties()) {
			switch (attribute.getKey()) {
				case "title" -> Attributes.title(attribute.getValue());
				case "done" -> Attributes.done(attribute.getValue());
				default -> {
				}
			}
		}
		return true;
	}

}

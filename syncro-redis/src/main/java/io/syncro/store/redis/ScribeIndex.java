package io.syncro.store.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.Recipients;
import io.syncro.scribe.ScribeEntry;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * How {@link RedisScribeLog} indexes one scribe: its body, its blocked list and the keys
 * whose sets list it, as both appends and compaction write them.
 *
 * @param body the scribe's JSON, without its id
 * @param blocked who it does not reach, as a JSON array: the keys left out, and the origin
 * ({@code =uid}), which v1 readers do not get; {@code ""} for none
 * @param everyone whether it goes in the set of ids for everyone
 * @param listed the keys whose sets list it, when not for everyone
 */
record ScribeIndex(String body, String blocked, boolean everyone, List<String> listed) {

	static ScribeIndex of(ScribeEntry entry) {
		Recipients recipients = entry.recipients();
		Set<String> blocked = new TreeSet<>();
		List<String> listed = new ArrayList<>();
		for (String key : recipients.listed()) {
			if (recipients.isEveryone()) {
				blocked.add(key);
			}
			else if (key.startsWith("!")) {
				blocked.add(key.substring(1));
			}
			else {
				listed.add(key);
			}
		}
		if (entry.origin() != null) {
			blocked.add("=" + entry.origin());
		}
		return new ScribeIndex(MessageCodec.writeTree(entry.toJson()),
				blocked.isEmpty() ? "" : MessageCodec.writeTree(stringArray(blocked)), recipients.isEveryone(),
				List.copyOf(listed));
	}

	static ArrayNode stringArray(Iterable<String> strings) {
		ArrayNode array = JsonNodeFactory.instance.arrayNode();
		strings.forEach(array::add);
		return array;
	}

	/** The scribe's listed count as the scripts take it: -1 for everyone. */
	String listedCount() {
		return this.everyone ? "-1" : Integer.toString(this.listed.size());
	}

}

package io.syncro.sample;

import tools.jackson.databind.node.ObjectNode;

import static io.syncro.testing.WireMessages.json;

/**
 * The attributes of the sample app's records, as a scribe that creates one carries them.
 */
public final class SampleRecords {

	private SampleRecords() {
	}

	/**
	 * A Todo, not done.
	 * @param id the record's id
	 * @param title its title
	 * @return its attributes
	 */
	public static ObjectNode todo(String id, String title) {
		return json.objectNode().put("id", id).put("title", title).put("done", false);
	}

	/**
	 * A Page.
	 * @param id the record's id
	 * @param owner the user it belongs to, whose clients all receive it
	 * @param title its title
	 * @param body its body
	 * @return its attributes
	 */
	public static ObjectNode page(String id, String owner, String title, String body) {
		return json.objectNode().put("id", id).put("owner", owner).put("title", title).put("body", body);
	}

}

package io.syncro.recording;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Whether a client receives a record, and why: the policy that decides, the recipients
 * it gives the record, and which of the client's keys they match.
 *
 * @param klass the record's klass
 * @param id the record's id
 * @param exists whether the record exists
 * @param receives whether the client receives the record's scribes
 * @param policy the class of the policy that decides, or {@code null} for an unknown klass
 * @param recipients the recipients the policy gives the record, as text
 * @param matched the client's {@link io.syncro.scribe.Identity#keys() keys} that the
 * recipients name (for recipients of everyone but some, those that leave it out)
 * @param scopes the subscriptions that narrow the klass for the client (protocol v2), on
 * its connections to this node; none when the klass is not narrowed
 * @param reason one sentence that says why
 * @since 0.2.0
 */
public record Explanation(String klass, String id, boolean exists, boolean receives, @Nullable String policy,
		@Nullable String recipients, List<String> matched, List<String> scopes, String reason) {

	/**
	 * This explanation for a client whose subscriptions narrow the klass.
	 * @param subscriptions the subscriptions, as text
	 * @param held whether one of them holds the record
	 * @return the explanation
	 */
	public Explanation narrowed(List<String> subscriptions, boolean held) {
		String why = this.reason + " Its connection subscribes to " + String.join(", ", subscriptions) + " for "
				+ this.klass + ", which " + (held ? "hold" : "do not hold") + " the record.";
		return new Explanation(this.klass, this.id, this.exists, this.receives && held, this.policy, this.recipients,
				this.matched, List.copyOf(subscriptions), why);
	}

}

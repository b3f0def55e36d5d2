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
 * @param reason one sentence that says why
 * @since 0.2.0
 */
public record Explanation(String klass, String id, boolean exists, boolean receives, @Nullable String policy,
		@Nullable String recipients, List<String> matched, String reason) {

}

package io.syncro.store;

/**
 * How a client scribe was refused for good, remembered so that a resent duplicate is
 * answered with the same error (PROTOCOL.md section 4).
 *
 * @param code the error code (400, 403 or 404)
 * @param message the error's sentence
 * @since 0.1.0
 */
public record Refusal(int code, String message) {
}

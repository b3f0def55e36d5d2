package io.syncro.sample.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Compares passwords as configured in {@code sample.users}, in constant time. The sample's
 * passwords sit in its configuration in clear; a real application keeps hashes. A slow
 * hash would also cost every Basic-authenticated handshake its time, which a benchmark of
 * thousands of connections would feel.
 */
final class PlainPasswords implements PasswordEncoder {

	@Override
	public String encode(@Nullable CharSequence rawPassword) {
		return (rawPassword != null) ? rawPassword.toString() : "";
	}

	@Override
	public boolean matches(@Nullable CharSequence rawPassword, @Nullable String encodedPassword) {
		if (rawPassword == null || encodedPassword == null) {
			return false;
		}
		return MessageDigest.isEqual(digest(rawPassword.toString()), digest(encodedPassword));
	}

	private static byte[] digest(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

}

package io.syncro.scribe;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * What a scribe does to its record.
 *
 * @since 0.1.0
 */
public enum ScribeType {

	/** A new record; data holds every attribute, its id included. */
	CREATE,

	/** A changed record; data is {@code [recordId, {changed attributes}]}. */
	UPDATE,

	/** A removed record; data is {@code [recordId]}. */
	DESTROY;

	/**
	 * The name on the wire.
	 * @return {@code create}, {@code update} or {@code destroy}
	 */
	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * The type with the given wire name.
	 * @param name a wire name
	 * @return the type, or {@code null} if the name is not one
	 */
	public static @Nullable ScribeType fromWireName(String name) {
		return switch (name) {
			case "create" -> CREATE;
			case "update" -> UPDATE;
			case "destroy" -> DESTROY;
			default -> null;
		};
	}

}

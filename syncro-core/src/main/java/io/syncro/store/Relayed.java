package io.syncro.store;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

import io.syncro.scribe.ScribeEntry;
import org.jspecify.annotations.Nullable;

/**
 * The scribes one committed transaction recorded, as a {@link ScribeOutbox} relays them
 * to the {@link ScribeLog}: appended together, under the position the outbox keeps them
 * at.
 *
 * @param position where the outbox keeps them, unique within the outbox
 * @param entries the scribes, in the order they were recorded
 * @since 0.1.0
 */
public record Relayed(long position, List<ScribeEntry> entries) {

	public Relayed {
		entries = List.copyOf(Objects.requireNonNull(entries, "Entries must not be null"));
	}

	/**
	 * The positions of transactions as text, as logs keep those of the last relayed call:
	 * decimal numbers separated by commas.
	 * @param transactions the transactions
	 * @return the text, empty for none
	 */
	public static String positionsText(List<Relayed> transactions) {
		StringJoiner text = new StringJoiner(",");
		transactions.forEach((transaction) -> text.add(Long.toString(transaction.position())));
		return text.toString();
	}

	/**
	 * Reads what {@link #positionsText} wrote.
	 * @param text the text, or {@code null} for none
	 * @return the positions
	 */
	public static Set<Long> positionsOf(@Nullable String text) {
		if (text == null || text.isEmpty()) {
			return Set.of();
		}
		Set<Long> positions = new HashSet<>();
		for (String position : text.split(",")) {
			positions.add(Long.parseLong(position));
		}
		return positions;
	}

}

package io.syncro.recording.board;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * A board's members as one column, names joined by commas.
 */
@Converter
class Members implements AttributeConverter<List<String>, String> {

	@Override
	public String convertToDatabaseColumn(List<String> members) {
		return String.join(",", members);
	}

	@Override
	public List<String> convertToEntityAttribute(String column) {
		return (column == null || column.isEmpty()) ? new ArrayList<>() : new ArrayList<>(Arrays.asList(column.split(",")));
	}

}

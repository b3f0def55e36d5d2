package io.syncro.sample.todo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * A list's members in one column, their names joined by commas (a user name has none,
 * see {@code Attributes.owner}).
 */
@Converter
class Members implements AttributeConverter<List<String>, String> {

	@Override
	public String convertToDatabaseColumn(List<String> members) {
		return String.join(",", members);
	}

	@Override
	public List<String> convertToEntityAttribute(String column) {
		return column.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(column.split(",")));
	}

}

package io.syncro.store;

import java.util.List;
import java.util.Set;

import io.syncro.scribe.Recipients;
import io.syncro.scribe.Scribe;
import io.syncro.scribe.ScribeEntry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InMemoryScribeLog}: the {@link ScribeLog} contract and its own size.
 */
class InMemoryScribeLogTests extends ScribeLogContractTests {

	@Override
	protected ScribeLog createLog() {
		return new InMemoryScribeLog();
	}

	@Test
	void sizeCountsEveryScribeWhoeverItIsFor() {
		InMemoryScribeLog log = (InMemoryScribeLog) log();
		assertThat(log.size()).isZero();
		log.append(List.of(entry("a", Recipients.all()), entry("b", Recipients.only("bob"))));
		log.append(List.of(entry("c", Recipients.allExcept(Set.of("alice")))));
		assertThat(log.size()).isEqualTo(3);
	}

	@Test
	void readFindsItsStartInALogThatGrewPastItsFirstCapacity() {
		InMemoryScribeLog log = (InMemoryScribeLog) log();
		for (int i = 0; i < 1000; i++) {
			log.append(List.of(entry("r" + i, Recipients.all()), entry("p" + i, Recipients.only("bob"))));
		}
		assertThat(log.size()).isEqualTo(2000);
		assertThat(log.read("alice", 1500, 3)).extracting(Scribe::id).containsExactly(1501L, 1503L, 1505L);
		assertThat(log.read("bob", 1998, 5)).extracting(Scribe::id).containsExactly(1999L, 2000L);
		assertThat(log.read("alice", 0, 1)).extracting(Scribe::id).containsExactly(1L);
		assertThat(log.lastId("alice")).isEqualTo(1999);
	}

	@Test
	void readWithALimitOfZeroReturnsNothing() {
		log().append(List.of(entry("a", Recipients.all())));
		assertThat(log().read("alice", 0, 0)).isEmpty();
	}

	private static ScribeEntry entry(String recordId, Recipients recipients) {
		ObjectNode record = JsonNodeFactory.instance.objectNode().put("id", recordId);
		return new ScribeEntry(Scribe.create("Todo", record), recipients, null);
	}

}

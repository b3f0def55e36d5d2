package io.syncro.scribe;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Recipients}.
 */
class RecipientsTests {

	/** Clients named in the samples, and one never named, standing for everyone else. */
	private static final List<String> CLIENTS = List.of("a", "b", "c", "d", "stranger");

	private static final List<Recipients> SAMPLES = List.of(Recipients.all(), Recipients.none(),
			Recipients.only("a"), Recipients.only("a", "b"), Recipients.only("c", "d"),
			Recipients.only("a", "b", "c", "d"), Recipients.allExcept(Set.of("a")),
			Recipients.allExcept(Set.of("a", "b")), Recipients.allExcept(Set.of("c", "d")),
			Recipients.allExcept(Set.of("a", "b", "c", "d")));

	@Test
	void allIncludesEveryClient() {
		assertThat(Recipients.all().isEveryone()).isTrue();
		assertThat(Recipients.all().listed()).isEmpty();
		assertThat(Recipients.all().isEmpty()).isFalse();
		assertThat(CLIENTS).allSatisfy((client) -> assertThat(Recipients.all().includes(client)).isTrue());
	}

	@Test
	void noneIncludesNoClient() {
		assertThat(Recipients.none().isEveryone()).isFalse();
		assertThat(Recipients.none().isEmpty()).isTrue();
		assertThat(CLIENTS).allSatisfy((client) -> assertThat(Recipients.none().includes(client)).isFalse());
	}

	@Test
	void onlyIncludesExactlyTheListedClients() {
		Recipients recipients = Recipients.only("a", "b");
		assertThat(recipients.isEveryone()).isFalse();
		assertThat(recipients.listed()).containsExactlyInAnyOrder("a", "b");
		assertThat(recipients.isEmpty()).isFalse();
		assertThat(recipients.includes("a")).isTrue();
		assertThat(recipients.includes("b")).isTrue();
		assertThat(recipients.includes("c")).isFalse();
		assertThat(recipients.includes("stranger")).isFalse();
	}

	@Test
	void onlyOfNoClientsIsNone() {
		assertThat(Recipients.only()).isEqualTo(Recipients.none());
		assertThat(Recipients.only(List.of())).isEqualTo(Recipients.none());
		assertThat(Recipients.only(List.of()).isEmpty()).isTrue();
	}

	@Test
	void onlyOfACollectionIgnoresRepeatedClients() {
		assertThat(Recipients.only(List.of("a", "a", "b"))).isEqualTo(Recipients.only("a", "b"));
	}

	@Test
	void allExceptIncludesEveryClientButTheListedOnes() {
		Recipients recipients = Recipients.allExcept(Set.of("a", "b"));
		assertThat(recipients.isEveryone()).isTrue();
		assertThat(recipients.listed()).containsExactlyInAnyOrder("a", "b");
		assertThat(recipients.isEmpty()).isFalse();
		assertThat(recipients.includes("a")).isFalse();
		assertThat(recipients.includes("b")).isFalse();
		assertThat(recipients.includes("c")).isTrue();
		assertThat(recipients.includes("stranger")).isTrue();
	}

	@Test
	void allExceptNoClientsIsAll() {
		assertThat(Recipients.allExcept(Set.of())).isEqualTo(Recipients.all());
	}

	@Test
	void complementIncludesExactlyTheClientsNotIncluded() {
		for (Recipients recipients : SAMPLES) {
			Recipients complement = recipients.complement();
			for (String client : CLIENTS) {
				assertThat(complement.includes(client)).as("%s in complement of %s", client, recipients)
					.isEqualTo(!recipients.includes(client));
			}
			assertThat(complement.complement()).isEqualTo(recipients);
		}
		assertThat(Recipients.all().complement()).isEqualTo(Recipients.none());
		assertThat(Recipients.none().complement()).isEqualTo(Recipients.all());
		assertThat(Recipients.only("a").complement()).isEqualTo(Recipients.allExcept(Set.of("a")));
	}

	@Test
	void intersectIncludesExactlyTheClientsIncludedByBoth() {
		for (Recipients left : SAMPLES) {
			for (Recipients right : SAMPLES) {
				Recipients intersection = left.intersect(right);
				for (String client : CLIENTS) {
					assertThat(intersection.includes(client)).as("%s in %s intersect %s", client, left, right)
						.isEqualTo(left.includes(client) && right.includes(client));
				}
				assertThat(intersection).as("%s intersect %s is symmetric", left, right)
					.isEqualTo(right.intersect(left));
			}
		}
	}

	@Test
	void minusIncludesExactlyTheClientsIncludedByTheFirstButNotTheSecond() {
		for (Recipients left : SAMPLES) {
			for (Recipients right : SAMPLES) {
				Recipients difference = left.minus(right);
				for (String client : CLIENTS) {
					assertThat(difference.includes(client)).as("%s in %s minus %s", client, left, right)
						.isEqualTo(left.includes(client) && !right.includes(client));
				}
			}
		}
	}

	@Test
	void combinationsGiveTheSimplestForm() {
		assertThat(Recipients.all().intersect(Recipients.allExcept(Set.of("a"))))
			.isEqualTo(Recipients.allExcept(Set.of("a")));
		assertThat(Recipients.allExcept(Set.of("a")).intersect(Recipients.allExcept(Set.of("b"))))
			.isEqualTo(Recipients.allExcept(Set.of("a", "b")));
		assertThat(Recipients.only("a", "b").intersect(Recipients.only("b", "c"))).isEqualTo(Recipients.only("b"));
		assertThat(Recipients.only("a", "b").intersect(Recipients.allExcept(Set.of("a"))))
			.isEqualTo(Recipients.only("b"));
		assertThat(Recipients.only("a").intersect(Recipients.only("b"))).isEqualTo(Recipients.none());
		assertThat(Recipients.all().minus(Recipients.all())).isEqualTo(Recipients.none());
		assertThat(Recipients.all().minus(Recipients.only("a"))).isEqualTo(Recipients.allExcept(Set.of("a")));
		assertThat(Recipients.allExcept(Set.of("a")).minus(Recipients.allExcept(Set.of("a", "b"))))
			.isEqualTo(Recipients.only("b"));
		assertThat(Recipients.only("a", "b").minus(Recipients.none())).isEqualTo(Recipients.only("a", "b"));
	}

	@Test
	void recipientsAreEqualWhenTheyIncludeTheSameClients() {
		assertThat(Recipients.only("a", "b")).isEqualTo(Recipients.only(List.of("b", "a")))
			.hasSameHashCodeAs(Recipients.only(List.of("b", "a")));
		assertThat(Recipients.allExcept(Set.of("a", "b"))).isEqualTo(Recipients.allExcept(List.of("b", "a")))
			.hasSameHashCodeAs(Recipients.allExcept(List.of("b", "a")));
		assertThat(Recipients.all()).isEqualTo(Recipients.allExcept(List.of()));
		assertThat(Recipients.none()).isEqualTo(Recipients.only(List.of()));
	}

	@Test
	void recipientsDifferWhenTheyIncludeDifferentClients() {
		assertThat(Recipients.only("a")).isNotEqualTo(Recipients.allExcept(Set.of("a")));
		assertThat(Recipients.all()).isNotEqualTo(Recipients.none());
		assertThat(Recipients.only("a")).isNotEqualTo(Recipients.only("a", "b"));
		assertThat(Recipients.allExcept(Set.of("a"))).isNotEqualTo(Recipients.allExcept(Set.of("b")));
		assertThat(Recipients.only("a")).isNotEqualTo("only [a]");
	}

	@Test
	void toStringSaysWhoIsMeant() {
		assertThat(Recipients.all()).hasToString("all");
		assertThat(Recipients.only("a")).hasToString("only [a]");
		assertThat(Recipients.allExcept(Set.of("a"))).hasToString("all except [a]");
	}

}

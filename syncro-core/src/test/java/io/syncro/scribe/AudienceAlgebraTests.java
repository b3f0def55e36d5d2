package io.syncro.scribe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Recipients} that name users and authorities, checked against a model written
 * here: each audience as the set of clients it means, by its definition, over clients
 * of every kind (anonymous, of a user, with and without authorities, and one user's
 * several devices). The audiences of an update that changes who sees a record (what
 * stays, what arrives, what leaves) must be exactly the model's set operations.
 */
class AudienceAlgebraTests {

	private static final List<Identity> CLIENTS = List.of(Identity.anonymous("anon"),
			Identity.of("alice-phone", "alice", Set.of()), Identity.of("alice-laptop", "alice", Set.of("ROLE_ADMIN")),
			Identity.of("bob-1", "bob", Set.of("team")), Identity.of("bob-2", "bob", Set.of("team", "ROLE_ADMIN")),
			Identity.of("carol-1", "carol & co", Set.of("te%am")), Identity.of("dave-1", "dave", Set.of("ROLE_ADMIN")));

	/** Audiences as policies give them, each with the clients it means by definition. */
	private static final Map<Recipients, Predicate<Identity>> AUDIENCES = new LinkedHashMap<>();

	static {
		AUDIENCES.put(Recipients.all(), (who) -> true);
		AUDIENCES.put(Recipients.none(), (who) -> false);
		AUDIENCES.put(Recipients.only("anon", "bob-1"), (who) -> Set.of("anon", "bob-1").contains(who.client()));
		AUDIENCES.put(Recipients.allExcept(Set.of("alice-phone")), (who) -> !who.client().equals("alice-phone"));
		AUDIENCES.put(Recipients.users("alice"), (who) -> "alice".equals(who.user()));
		AUDIENCES.put(Recipients.users("bob", "carol & co"), (who) -> "bob".equals(who.user()) || "carol & co".equals(who.user()));
		AUDIENCES.put(Recipients.users("carol"), (who) -> "carol".equals(who.user()));
		AUDIENCES.put(Recipients.authorities("ROLE_ADMIN"), (who) -> who.hasAuthority("ROLE_ADMIN"));
		AUDIENCES.put(Recipients.authorities("team", "te%am"),
				(who) -> who.hasAuthority("team") || who.hasAuthority("te%am"));
		AUDIENCES.put(Recipients.users("alice").and(Recipients.authorities("team")),
				(who) -> "alice".equals(who.user()) || who.hasAuthority("team"));
		AUDIENCES.put(Recipients.users("dave").and(Recipients.only("anon")),
				(who) -> "dave".equals(who.user()) || who.client().equals("anon"));
	}

	@Test
	void eachAudienceMeansExactlyItsClients() {
		AUDIENCES.forEach((audience, model) -> assertThat(meant(audience)).as("%s", audience).isEqualTo(modelled(model)));
	}

	@Test
	void whatStaysArrivesAndLeavesIsExactForEveryChangeOfAudience() {
		AUDIENCES.forEach((before, wasMeant) -> AUDIENCES.forEach((after, isMeant) -> {
			assertThat(meant(before.intersect(after))).as("%s stays in %s", before, after)
				.isEqualTo(modelled(wasMeant.and(isMeant)));
			assertThat(meant(after.minus(before))).as("arriving in %s from %s", after, before)
				.isEqualTo(modelled(isMeant.and(wasMeant.negate())));
			assertThat(meant(before.minus(after))).as("leaving %s for %s", before, after)
				.isEqualTo(modelled(wasMeant.and(isMeant.negate())));
		}));
	}

	@Test
	void audiencesSurviveTheWayLogsKeepThem() {
		AUDIENCES.keySet().forEach((before) -> AUDIENCES.keySet().forEach((after) -> {
			for (Recipients audience : List.of(before.intersect(after), after.minus(before))) {
				assertThat(Recipients.fromListed(audience.isEveryone(), audience.listed())).isEqualTo(audience);
			}
		}));
	}

	@Test
	void namesWithTheSeparatorsCannotPassForAPair() {
		Identity tricky = Identity.of("x", "alice&~ROLE_ADMIN", Set.of());
		Recipients both = Recipients.users("alice").intersect(Recipients.authorities("ROLE_ADMIN"));
		assertThat(both.includes(tricky)).isFalse();
		assertThat(Recipients.users("alice&~ROLE_ADMIN").includes(tricky)).isTrue();
	}

	@Test
	void anAudienceWithExclusionsHasNoComplement() {
		Recipients arriving = Recipients.authorities("ROLE_ADMIN").minus(Recipients.users("alice"));
		assertThat(meant(arriving)).containsExactlyInAnyOrder("bob-2", "dave-1");
		assertThat(arriving.toString()).contains("except");
		org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(arriving::complement);
	}

	private static Set<String> meant(Recipients audience) {
		return CLIENTS.stream().filter(audience::includes).map(Identity::client).collect(Collectors.toSet());
	}

	private static Set<String> modelled(Predicate<Identity> model) {
		return CLIENTS.stream().filter(model).map(Identity::client).collect(Collectors.toSet());
	}

}

package io.syncro.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.syncro.protocol.MessageCodec;
import io.syncro.testing.WireClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.syncro.testing.Scribes.create;
import static io.syncro.testing.Scribes.update;
import static io.syncro.testing.WireMessages.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages belong to users (issue 13): the REST API answers 401 without credentials and
 * serves a user only their own Pages, another user's being as missing as one that does
 * not exist; a Page reaches every client of its owner, whatever its uid, and no client of
 * another user, by push and by sync; a PATCH of its owner moves it from the clients of one
 * user to those of the other. Actuator's health is open, its other endpoints need the
 * {@code ADMIN} role.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:sample-pages;DB_CLOSE_DELAY=-1")
class SampleAppPagesTests {

	private static final AtomicInteger ids = new AtomicInteger();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	private static String unique(String name) {
		return name + "-" + ids.incrementAndGet();
	}

	@Test
	void theRestApiAnswers401WithoutCredentialsAndChangesNothing() throws Exception {
		String todo = created("alice", "/api/todos", "{\"title\":\"kept\"}").path("id").asString();
		String page = created("alice", "/api/pages", "{\"title\":\"kept\"}").path("id").asString();
		String[][] requests = { { "GET", "/api/todos", null }, { "POST", "/api/todos", "{\"title\":\"anonymous\"}" },
				{ "PATCH", "/api/todos/" + todo, "{\"title\":\"anonymous\"}" }, { "DELETE", "/api/todos/" + todo, null },
				{ "GET", "/api/pages", null }, { "GET", "/api/pages/" + page, null },
				{ "POST", "/api/pages", "{\"owner\":\"alice\",\"title\":\"anonymous\"}" },
				{ "PATCH", "/api/pages/" + page, "{\"title\":\"anonymous\"}" }, { "DELETE", "/api/pages/" + page, null } };
		String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8));
		for (String[] request : requests) {
			String what = request[0] + " " + request[1];
			HttpResponse<String> anonymous = call(null, request[0], request[1], request[2]);
			assertThat(anonymous.statusCode()).as(what).isEqualTo(401);
			// no challenge, so that no browser pops up a password dialog
			assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(what).isEmpty();
			assertThat(anonymous.body()).as(what).doesNotContain("kept");
			HttpResponse<String> wrongPassword = send(
					request(request[0], request[1], request[2]).header("Authorization", wrong));
			assertThat(wrongPassword.statusCode()).as(what + " with a wrong password").isEqualTo(401);
			assertThat(wrongPassword.body()).as(what + " with a wrong password").doesNotContain("kept");
		}
		assertThat(list("alice", "/api/todos")).anyMatch((found) -> found.path("id").asString().equals(todo)
				&& found.path("title").asString().equals("kept"))
			.noneMatch((found) -> found.path("title").asString().equals("anonymous"));
		assertThat(read("alice", "/api/pages/" + page).path("title").asString()).isEqualTo("kept");
		assertThat(list("alice", "/api/pages")).noneMatch((found) -> found.path("title").asString().equals("anonymous"));
	}

	@Test
	void aUserListsAndReadsOnlyTheirOwnPages() throws Exception {
		String title = unique("listed");
		JsonNode alices = created("alice", "/api/pages", "{\"title\":\"" + title + " alice\",\"body\":\"hers\"}");
		JsonNode bobs = created("bob", "/api/pages", "{\"title\":\"" + title + " bob\",\"body\":\"his\"}");

		List<JsonNode> alicesList = list("alice", "/api/pages");
		assertThat(alicesList).isNotEmpty().allMatch((page) -> page.path("owner").asString().equals("alice"));
		assertThat(alicesList).contains(alices).doesNotContain(bobs);
		List<JsonNode> bobsList = list("bob", "/api/pages");
		assertThat(bobsList).isNotEmpty().allMatch((page) -> page.path("owner").asString().equals("bob"));
		assertThat(bobsList).contains(bobs).doesNotContain(alices);
		assertThat(list("carol", "/api/pages")).noneMatch((page) -> page.toString().contains(title));

		assertThat(read("alice", "/api/pages/" + alices.path("id").asString())).isEqualTo(alices);
		assertThat(read("bob", "/api/pages/" + bobs.path("id").asString())).isEqualTo(bobs);
	}

	@Test
	void anotherUsersPageIsAnswered404AsIfMissingOnGetPatchAndDeleteAndStaysAsItWas() throws Exception {
		JsonNode page = created("alice", "/api/pages", "{\"title\":\"" + unique("private") + "\",\"body\":\"secret\"}");
		String id = page.path("id").asString();
		String missing = unique("no-such-page");
		String[][] requests = { { "GET", null }, { "PATCH", "{\"title\":\"stolen\"}" },
				{ "PATCH", "{\"owner\":\"bob\"}" }, { "DELETE", null } };
		for (String[] request : requests) {
			String what = request[0] + " " + request[1];
			HttpResponse<String> foreign = call("bob", request[0], "/api/pages/" + id, request[1]);
			HttpResponse<String> absent = call("bob", request[0], "/api/pages/" + missing, request[1]);
			assertThat(foreign.statusCode()).as(what).isEqualTo(404);
			assertThat(absent.statusCode()).as(what).isEqualTo(404);
			// nothing tells an existing Page of another user from one that does not exist
			assertThat(foreign.body().replace(id, "ID")).as(what)
				.isEqualTo(absent.body().replace(missing, "ID"))
				.doesNotContain("secret");
		}
		assertThat(read("alice", "/api/pages/" + id)).isEqualTo(page);
		assertThat(list("bob", "/api/pages")).noneMatch((found) -> found.path("id").asString().equals(id));
	}

	@Test
	void aPageIsCreatedOnlyForTheCallerWhoOwnsItWhenTheOwnerIsLeftOut() throws Exception {
		String title = unique("for-bob");
		HttpResponse<String> forBob = call("alice", "POST", "/api/pages", "{\"owner\":\"bob\",\"title\":\"" + title + "\"}");
		assertThat(forBob.statusCode()).isEqualTo(403);
		assertThat(forBob.headers().firstValue("Content-Type")).get().asString().contains("json");
		assertThat(list("bob", "/api/pages")).noneMatch((page) -> page.path("title").asString().equals(title));
		assertThat(list("alice", "/api/pages")).noneMatch((page) -> page.path("title").asString().equals(title));

		JsonNode withoutOwner = created("alice", "/api/pages", "{\"title\":\"" + title + " left out\"}");
		assertThat(withoutOwner.path("owner").asString()).isEqualTo("alice");
		assertThat(withoutOwner.path("body").asString()).isEmpty();
		JsonNode ownOwner = created("bob", "/api/pages", "{\"owner\":\"bob\",\"title\":\"" + title + " named\"}");
		assertThat(ownOwner.path("owner").asString()).isEqualTo("bob");
		assertThat(list("alice", "/api/pages")).contains(withoutOwner);
		assertThat(list("bob", "/api/pages")).contains(ownOwner);
	}

	@Test
	void aPageReachesEveryClientOfItsOwnerByPushAndBySyncAndNoClientOfAnotherUser() throws Exception {
		String marker = unique("everywhere");
		try (WireClient laptop = SampleUsers.alice(this.port).live(unique("alice-laptop"));
				WireClient phone = SampleUsers.alice(this.port).live(unique("alice-phone"));
				WireClient bob = SampleUsers.signedIn("bob", this.port).live(unique("bob-phone"))) {
			// made on the server: pushed to both of alice's clients
			String byRest = created("alice", "/api/pages", "{\"title\":\"" + marker + " by REST\"}").path("id").asString();
			long restScribe = laptop.awaitPushed((scribe) -> scribe.toString().contains(byRest), 1).get(0).path("id").asLong();
			assertThat(phone.awaitPushed((scribe) -> scribe.toString().contains(byRest), 1).get(0).path("id").asLong())
				.isEqualTo(restScribe);
			// made on one of her clients: pushed to the other, and no echo
			String byClient = marker + "-by-client";
			assertThat(laptop.addScribe(create(1, "Page", SampleRecords.page(byClient, "alice", marker + " by client", "b")))
				.path("result")
				.asBoolean()).isTrue();
			JsonNode pushedToPhone = phone.awaitPushed((scribe) -> scribe.toString().contains(byClient), 1).get(0);
			assertThat(pushedToPhone.path("type").asString()).isEqualTo("create");
			assertThat(pushedToPhone.path("data").path("owner").asString()).isEqualTo("alice");
			// and either of her clients may change it, which reaches the other
			assertThat(phone.addScribe(update(1, "Page", byClient, json.objectNode().put("title", marker + " edited")))
				.path("result")
				.asBoolean()).isTrue();
			assertThat(laptop.awaitPushed((scribe) -> scribe.toString().contains(marker + " edited"), 1)).hasSize(1);
			assertThat(read("alice", "/api/pages/" + byClient).path("title").asString()).isEqualTo(marker + " edited");
			assertThat(laptop.pushed()).as("its own create, echoed")
				.noneMatch((scribe) -> scribe.path("type").asString().equals("create") && scribe.toString().contains(byClient));

			// a todo after the pages: once bob has it, he has had every push before it
			String barrier = created("alice", "/api/todos", "{\"title\":\"" + unique("barrier") + "\"}").path("id")
				.asString();
			long barrierScribe = bob.awaitPushed((scribe) -> scribe.toString().contains(barrier), 1)
				.get(0)
				.path("id")
				.asLong();
			assertThat(barrierScribe).isGreaterThan(restScribe);
			assertThat(bob.received()).noneMatch((message) -> message.toString().contains(marker)
					|| message.toString().contains(byRest));
			assertThat(bob.syncToEnd(null)).noneMatch((scribe) -> isPage(scribe, marker, byRest));
			assertThat(bob.syncToEnd(restScribe - 1)).noneMatch((scribe) -> scribe.path("id").asLong() == restScribe);
			assertThat(bob.lastScribeId()).isEqualTo(barrierScribe);

			// by sync from nothing, on the clients she has (each without what it wrote itself,
			// by the no-echo rule of v1) and on one she has not used yet
			assertThat(laptop.syncToEnd(null)).filteredOn((scribe) -> isPage(scribe, marker, byRest))
				.extracting((scribe) -> scribe.path("type").asString() + " " + scribe.path("data").toString().contains(byRest))
				.containsExactly("create true", "update false");
			assertThat(phone.syncToEnd(null)).filteredOn((scribe) -> isPage(scribe, marker, byRest))
				.extracting((scribe) -> scribe.path("type").asString() + " " + scribe.path("data").toString().contains(byRest))
				.containsExactly("create true", "create false");
			assertThat(laptop.lastScribeId()).isEqualTo(barrierScribe);
			assertThat(phone.lastScribeId()).isEqualTo(barrierScribe);
			try (WireClient tablet = SampleUsers.alice(this.port).connect(unique("alice-tablet"));
					WireClient bobsLaptop = SampleUsers.signedIn("bob", this.port).connect(unique("bob-laptop"))) {
				assertThat(tablet.syncToEnd(null)).filteredOn((scribe) -> isPage(scribe, marker, byRest))
					.extracting((scribe) -> scribe.path("type").asString())
					.containsExactly("create", "create", "update");
				assertThat(bobsLaptop.syncToEnd(null)).isNotEmpty().noneMatch((scribe) -> isPage(scribe, marker, byRest));
			}
		}
	}

	@Test
	void movingAPageToAnotherUserDestroysItAtTheOldOwnersClientsAndCreatesItAtTheNewOwners() throws Exception {
		String title = unique("moving");
		try (WireClient alicesLaptop = SampleUsers.alice(this.port).live(unique("alice-laptop"));
				WireClient alicesPhone = SampleUsers.alice(this.port).live(unique("alice-phone"));
				WireClient bobsLaptop = SampleUsers.signedIn("bob", this.port).live(unique("bob-laptop"));
				WireClient bobsPhone = SampleUsers.signedIn("bob", this.port).live(unique("bob-phone"))) {
			String id = created("alice", "/api/pages", "{\"title\":\"" + title + "\",\"body\":\"moved\"}").path("id")
				.asString();
			alicesLaptop.awaitPushed((scribe) -> scribe.toString().contains(id), 1);
			alicesPhone.awaitPushed((scribe) -> scribe.toString().contains(id), 1);

			HttpResponse<String> moved = call("alice", "PATCH", "/api/pages/" + id, "{\"owner\":\"bob\"}");
			assertThat(moved.statusCode()).isEqualTo(200);
			assertThat(MessageCodec.readTree(moved.body()).path("owner").asString()).isEqualTo("bob");

			for (WireClient alices : List.of(alicesLaptop, alicesPhone)) {
				List<JsonNode> seen = alices.awaitPushed((scribe) -> scribe.toString().contains(id), 2);
				assertThat(seen).extracting((scribe) -> scribe.path("type").asString()).containsExactly("create", "destroy");
				assertThat(seen.get(1).path("data")).isEqualTo(json.arrayNode().add(id));
			}
			for (WireClient bobs : List.of(bobsLaptop, bobsPhone)) {
				List<JsonNode> seen = bobs.awaitPushed((scribe) -> scribe.toString().contains(id), 1);
				assertThat(seen).hasSize(1);
				assertThat(seen.get(0).path("type").asString()).isEqualTo("create");
				assertThat(seen.get(0).path("data")).isEqualTo(json.objectNode()
					.put("id", id)
					.put("owner", "bob")
					.put("title", title)
					.put("body", "moved"));
			}
			// the REST API agrees: it is bob's now, and as missing to alice as any other of his
			assertThat(call("alice", "GET", "/api/pages/" + id, null).statusCode()).isEqualTo(404);
			assertThat(list("alice", "/api/pages")).noneMatch((page) -> page.path("id").asString().equals(id));
			assertThat(read("bob", "/api/pages/" + id).path("owner").asString()).isEqualTo("bob");
			assertThat(list("bob", "/api/pages")).anyMatch((page) -> page.path("id").asString().equals(id));
			// a client of bob's that never saw it before gets it by sync
			try (WireClient bobsTablet = SampleUsers.signedIn("bob", this.port).connect(unique("bob-tablet"))) {
				assertThat(bobsTablet.syncToEnd(null)).anyMatch((scribe) -> scribe.path("type").asString().equals("create")
						&& scribe.path("data").path("id").asString().equals(id));
			}
		}
	}

	@Test
	void actuatorHealthIsOpenAndItsOtherEndpointsNeedTheAdminRole() throws Exception {
		HttpResponse<String> anonymous = call(null, "GET", "/actuator/health", null);
		assertThat(anonymous.statusCode()).isEqualTo(200);
		assertThat(anonymous.body()).contains("\"status\"").doesNotContain("components");
		assertThat(call("alice", "GET", "/actuator/health", null).body()).doesNotContain("components");
		assertThat(call("admin", "GET", "/actuator/health", null).body()).contains("components", "syncro");
		for (String path : List.of("/actuator/metrics", "/actuator/metrics/jvm.memory.used")) {
			assertThat(call(null, "GET", path, null).statusCode()).as(path).isEqualTo(401);
			assertThat(call("alice", "GET", path, null).statusCode()).as(path).isEqualTo(403);
			HttpResponse<String> admin = call("admin", "GET", path, null);
			assertThat(admin.statusCode()).as(path).isEqualTo(200);
			assertThat(admin.body()).as(path).contains("jvm.memory.used");
		}
	}

	@Test
	void aPageCanBeGivenOnlyToAUserWhoExists() throws Exception {
		String id = created("alice", "/api/pages", "{\"title\":\"For nobody\"}").path("id").asString();
		HttpResponse<String> nobody = call("alice", "PATCH", "/api/pages/" + id, "{\"owner\":\"mallory\"}");
		assertThat(nobody.statusCode()).isEqualTo(400);
		assertThat(nobody.body()).contains("no user 'mallory'");
		assertThat(call("alice", "GET", "/api/pages/" + id, null).statusCode()).isEqualTo(200);
	}

	private static boolean isPage(JsonNode scribe, String marker, String id) {
		return scribe.path("klass").asString().equals("Page")
				&& (scribe.toString().contains(marker) || scribe.toString().contains(id));
	}

	/** A request as a user, who must answer 201. */
	private JsonNode created(String user, String path, String body) throws Exception {
		HttpResponse<String> response = call(user, "POST", path, body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return MessageCodec.readTree(response.body());
	}

	/** A record as a user reads it, who must be answered 200. */
	private JsonNode read(String user, String path) throws Exception {
		HttpResponse<String> response = call(user, "GET", path, null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return MessageCodec.readTree(response.body());
	}

	private List<JsonNode> list(String user, String path) throws Exception {
		List<JsonNode> records = new ArrayList<>();
		read(user, path).forEach(records::add);
		return records;
	}

	/**
	 * Calls the app as a user, or with no credentials.
	 */
	private HttpResponse<String> call(@Nullable String user, String method, String path, @Nullable String body)
			throws Exception {
		HttpRequest.Builder request = request(method, path, body);
		if (user != null) {
			request.header("Authorization", SampleUsers.basic(user));
		}
		return send(request);
	}

	private HttpRequest.Builder request(String method, String path, @Nullable String body) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}

package io.syncro.recording;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.syncro.play.SyncroPolicy;
import io.syncro.scribe.Recipients;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.data.domain.Persistable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.repository.CrudRepository;

import static io.syncro.recording.CapturingScribeLog.create;
import static io.syncro.recording.CapturingScribeLog.destroy;
import static io.syncro.recording.CapturingScribeLog.update;
import static io.syncro.scribe.Recipients.only;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recording advisor on a repository proxy made by a {@link ProxyFactory}, over an
 * in-memory repository: no application context, no database.
 */
class RecordingAdvisorTests {

	private static final ItemPolicy ITEM_POLICY = new ItemPolicy();

	private final MapRepository target = new MapRepository();

	private final CapturingScribeLog log = new CapturingScribeLog();

	private final MapSnapshots snapshots = new MapSnapshots(this.target, new AtomicInteger());

	private final ScribeRecorder recorder = new ScribeRecorder(this.log.asOutbox(),
			new SyncableEntities(List.of(new SyncableType<>(Item.class, "Item", String.class, (type) -> ITEM_POLICY)),
					JsonMapper.shared(), this.snapshots, null));

	private @Nullable ScribeRecorder available = this.recorder;

	private final CrudRepository<Item, String> items = proxy(this.target, () -> this.available);

	@Test
	void pointcutPicksTheSavesAndDeletesOfARepositoryAndNothingElse() {
		RecordingAdvisor advisor = new RecordingAdvisor(Item.class, () -> this.recorder);
		List<String> matched = Arrays.stream(JpaRepository.class.getMethods())
			.filter((method) -> advisor.getPointcut().getMethodMatcher().matches(method, MapRepository.class))
			.map(RecordingAdvisorTests::signature)
			.distinct()
			.sorted()
			.toList();
		assertThat(matched).containsExactly("delete(1)", "deleteAll(0)", "deleteAll(1)", "deleteAllById(1)",
				"deleteAllByIdInBatch(1)", "deleteAllInBatch(0)", "deleteAllInBatch(1)", "deleteById(1)", "save(1)",
				"saveAll(1)", "saveAllAndFlush(1)", "saveAndFlush(1)");
	}

	@Test
	void saveOfNewItemRecordsCreateAndOfChangedItemOnlyTheChange() {
		this.items.save(new Item("i1", "Lamp", "alice"));
		this.items.save(new Item("i1", "Desk lamp", "alice"));
		this.items.save(new Item("i1", "Desk lamp", "alice"));
		assertThat(this.log.entries()).containsExactly(
				create("Item", "{'id': 'i1', 'name': 'Lamp', 'owner': 'alice'}", only("alice")),
				update("Item", "['i1', {'name': 'Desk lamp'}]", only("alice")));
	}

	@Test
	void saveOfAnItemThatSaysItIsNewRecordsACreateWithoutReadingIt() {
		// Spring Data inserts a Persistable that is new: nothing was stored under its id
		this.items.save(new NewItem("i1", "Lamp", "alice"));
		this.items.saveAll(List.of(new NewItem("i2", "Chair", "bob")));
		assertThat(this.snapshots.loads()).hasValue(0);
		assertThat(this.log.entries()).containsExactly(
				create("Item", "{'id': 'i1', 'name': 'Lamp', 'owner': 'alice'}", only("alice")),
				create("Item", "{'id': 'i2', 'name': 'Chair', 'owner': 'bob'}", only("bob")));
		this.items.save(new Item("i1", "Desk lamp", "alice"));
		assertThat(this.snapshots.loads()).hasValue(1);
	}

	@Test
	void saveAllRecordsEachChangedItem() {
		this.items.saveAll(List.of(new Item("i1", "Lamp", "alice"), new Item("i2", "Chair", "bob")));
		this.items.saveAll(List.of(new Item("i1", "Lamp", "alice"), new Item("i2", "Stool", "bob")));
		assertThat(this.log.entries()).containsExactly(
				create("Item", "{'id': 'i1', 'name': 'Lamp', 'owner': 'alice'}", only("alice")),
				create("Item", "{'id': 'i2', 'name': 'Chair', 'owner': 'bob'}", only("bob")),
				update("Item", "['i2', {'name': 'Stool'}]", only("bob")));
	}

	@Test
	void saveThatChangesTheOwnerMovesTheItemFromOneClientToTheOther() {
		this.target.put(new Item("i1", "Lamp", "alice"));
		this.items.save(new Item("i1", "Lamp", "bob"));
		assertThat(this.log.entries()).containsExactly(destroy("Item", "['i1']", only("alice")),
				create("Item", "{'id': 'i1', 'name': 'Lamp', 'owner': 'bob'}", only("bob")));
	}

	@Test
	void deletesRecordDestroyOfEachItemThatExisted() {
		this.target.put(new Item("i1", "Lamp", "alice"));
		this.target.put(new Item("i2", "Chair", "bob"));
		this.target.put(new Item("i3", "Desk", "carol"));
		this.target.put(new Item("i4", "Shelf", "dave"));
		this.items.delete(new Item("i1", "Lamp", "alice"));
		this.items.deleteById("i2");
		this.items.deleteById("missing");
		this.items.deleteAll(List.of(new Item("i3", "Desk", "carol")));
		this.items.deleteAllById(List.of("i4", "i1"));
		assertThat(this.log.entries()).containsExactly(destroy("Item", "['i1']", only("alice")),
				destroy("Item", "['i2']", only("bob")), destroy("Item", "['i3']", only("carol")),
				destroy("Item", "['i4']", only("dave")));
		assertThat(this.target.count()).isZero();
	}

	@Test
	void deleteAllRecordsDestroyOfEveryItem() {
		this.target.put(new Item("i1", "Lamp", "alice"));
		this.target.put(new Item("i2", "Chair", "bob"));
		this.items.deleteAll();
		assertThat(this.log.entries()).containsExactly(destroy("Item", "['i1']", only("alice")),
				destroy("Item", "['i2']", only("bob")));
	}

	@Test
	void otherMethodsAreNotRecorded() {
		this.target.put(new Item("i1", "Lamp", "alice"));
		assertThat(this.items.findById("i1")).isPresent();
		assertThat(this.items.findAll()).hasSize(1);
		assertThat(this.items.count()).isOne();
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void nothingIsRecordedWhileRecordingIsSuspended() {
		ScribeRecorder.withoutRecording(() -> {
			this.items.save(new Item("i1", "Lamp", "alice"));
			this.items.deleteAll();
		});
		assertThat(this.target.count()).isZero();
		assertThat(this.log.entries()).isEmpty();
	}

	@Test
	void nothingIsRecordedWithoutARecorder() {
		this.available = null;
		this.items.save(new Item("i1", "Lamp", "alice"));
		assertThat(this.target.findById("i1")).isPresent();
		assertThat(this.log.entries()).isEmpty();
	}

	@SuppressWarnings("unchecked")
	private static CrudRepository<Item, String> proxy(MapRepository target,
			Supplier<@Nullable ScribeRecorder> recorder) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.addAdvisor(new RecordingAdvisor(Item.class, recorder));
		return (CrudRepository<Item, String>) factory.getProxy();
	}

	private static String signature(Method method) {
		return method.getName() + "(" + method.getParameterCount() + ")";
	}

	/**
	 * A record with an owner.
	 */
	public static class Item {

		private String id;

		private String name;

		private String owner;

		public Item() {
		}

		Item(String id, String name, String owner) {
			this.id = id;
			this.name = name;
			this.owner = owner;
		}

		public String getId() {
			return this.id;
		}

		public void setId(String id) {
			this.id = id;
		}

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public String getOwner() {
			return this.owner;
		}

		public void setOwner(String owner) {
			this.owner = owner;
		}

		Item copy() {
			return new Item(this.id, this.name, this.owner);
		}

	}

	/**
	 * An item that tells Spring Data it was never stored, as an entity implementing
	 * {@link Persistable} does until it is loaded or persisted.
	 */
	public static class NewItem extends Item implements Persistable<String> {

		NewItem(String id, String name, String owner) {
			super(id, name, owner);
		}

		@Override
		@JsonIgnore
		public boolean isNew() {
			return true;
		}

	}

	/**
	 * Items go to their owner.
	 */
	static class ItemPolicy implements SyncroPolicy<Item> {

		@Override
		public Recipients recipients(Item item) {
			return Recipients.only(item.getOwner());
		}

	}

	/**
	 * Snapshots from the repository's map: copies, as a persistence context would give.
	 */
	record MapSnapshots(MapRepository repository, AtomicInteger loads) implements EntitySnapshots {

		@Override
		public @Nullable Object idOf(Object entity) {
			return ((Item) entity).getId();
		}

		@Override
		public Object unproxy(Object entity) {
			return entity;
		}

		@Override
		public @Nullable Object load(Class<?> type, Object id) {
			this.loads.incrementAndGet();
			return this.repository.findById((String) id).map(Item::copy).orElse(null);
		}

		@Override
		public <T> @Nullable T find(Class<T> type, Object id) {
			return null;
		}

		@Override
		public List<Object> loadAll(Class<?> type) {
			List<Object> all = new ArrayList<>();
			this.repository.findAll().forEach((item) -> all.add(item.copy()));
			return all;
		}

		@Override
		public void flush() {
		}

	}

	/**
	 * A repository of items in a map.
	 */
	static class MapRepository implements CrudRepository<Item, String> {

		private final Map<String, Item> items = new LinkedHashMap<>();

		void put(Item item) {
			this.items.put(item.getId(), item.copy());
		}

		@Override
		public <S extends Item> S save(S entity) {
			put(entity);
			return entity;
		}

		@Override
		public <S extends Item> Iterable<S> saveAll(Iterable<S> entities) {
			List<S> saved = new ArrayList<>();
			entities.forEach((entity) -> saved.add(save(entity)));
			return saved;
		}

		@Override
		public Optional<Item> findById(String id) {
			return Optional.ofNullable(this.items.get(id)).map(Item::copy);
		}

		@Override
		public boolean existsById(String id) {
			return this.items.containsKey(id);
		}

		@Override
		public Iterable<Item> findAll() {
			return this.items.values().stream().map(Item::copy).toList();
		}

		@Override
		public Iterable<Item> findAllById(Iterable<String> ids) {
			List<Item> found = new ArrayList<>();
			ids.forEach((id) -> findById(id).ifPresent(found::add));
			return found;
		}

		@Override
		public long count() {
			return this.items.size();
		}

		@Override
		public void deleteById(String id) {
			this.items.remove(id);
		}

		@Override
		public void delete(Item entity) {
			this.items.remove(entity.getId());
		}

		@Override
		public void deleteAllById(Iterable<? extends String> ids) {
			ids.forEach(this.items::remove);
		}

		@Override
		public void deleteAll(Iterable<? extends Item> entities) {
			entities.forEach(this::delete);
		}

		@Override
		public void deleteAll() {
			this.items.clear();
		}

	}

}

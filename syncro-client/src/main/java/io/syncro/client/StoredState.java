package io.syncro.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.syncro.scribe.Scribe;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mutable state a {@link LocalStore} keeps, with the one implementation of how a
 * {@link LocalStore.Change} applies to it. Not thread-safe: stores guard it.
 */
final class StoredState {

	@Nullable String uid;

	long nextScribeId = 1;

	long position;

	@Nullable String epoch;

	long acknowledged;

	long serverMark;

	final Map<String, Map<String, ObjectNode>> records = new HashMap<>();

	final TreeMap<Long, Scribe> pending = new TreeMap<>();

	java.util.List<LocalStore.StoredSubscription> subscriptions = java.util.List.of();

	static StoredState of(LocalStore.State state) {
		StoredState stored = new StoredState();
		stored.uid = state.uid();
		stored.nextScribeId = state.nextScribeId();
		stored.position = state.position();
		stored.epoch = state.epoch();
		stored.acknowledged = state.acknowledged();
		stored.serverMark = state.serverMark();
		state.records().forEach((klass, records) -> stored.records.put(klass, new HashMap<>(records)));
		state.pending().forEach((scribe) -> stored.pending.put(scribe.id(), scribe));
		return stored;
	}

	void apply(LocalStore.Change change) {
		if (change.uid() != null) {
			this.uid = change.uid();
		}
		this.nextScribeId = change.nextScribeId();
		this.position = change.position();
		this.epoch = change.epoch();
		this.acknowledged = change.acknowledged();
		this.serverMark = change.serverMark();
		for (LocalStore.RecordWrite write : change.records()) {
			if (write.record() != null) {
				this.records.computeIfAbsent(write.klass(), (klass) -> new HashMap<>()).put(write.id(), write.record());
			}
			else {
				Map<String, ObjectNode> ofKlass = this.records.get(write.klass());
				if (ofKlass != null) {
					ofKlass.remove(write.id());
					if (ofKlass.isEmpty()) {
						this.records.remove(write.klass());
					}
				}
			}
		}
		for (Scribe scribe : change.appended()) {
			this.pending.put(scribe.id(), scribe);
		}
		change.removed().forEach(this.pending::remove);
		this.pending.headMap(this.acknowledged, true).clear();
	}

	/**
	 * A copy whose maps can change without touching this one; records and scribes are
	 * shared, as neither is ever changed.
	 */
	StoredState copy() {
		StoredState copy = new StoredState();
		copy.uid = this.uid;
		copy.nextScribeId = this.nextScribeId;
		copy.position = this.position;
		copy.epoch = this.epoch;
		copy.acknowledged = this.acknowledged;
		copy.serverMark = this.serverMark;
		this.records.forEach((klass, records) -> copy.records.put(klass, new HashMap<>(records)));
		copy.pending.putAll(this.pending);
		copy.subscriptions = this.subscriptions;
		return copy;
	}

	LocalStore.State toState() {
		Map<String, Map<String, ObjectNode>> records = new HashMap<>();
		this.records.forEach((klass, ofKlass) -> records.put(klass, new HashMap<>(ofKlass)));
		return new LocalStore.State(this.uid, this.nextScribeId, this.position, this.epoch, this.acknowledged,
				this.serverMark, records, new ArrayList<>(this.pending.values()));
	}

}

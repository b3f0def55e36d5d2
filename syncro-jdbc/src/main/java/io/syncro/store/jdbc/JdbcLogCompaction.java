package io.syncro.store.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.syncro.protocol.MessageCodec;
import io.syncro.scribe.ScribeEntry;
import io.syncro.store.Compaction;
import io.syncro.store.RecordFolds;
import io.syncro.store.ScribeLog;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Compaction of a {@link JdbcScribeLog} (docs/PROTOCOL.md section 8.8): reads the scribes
 * up to the cut-off in pages, folds them by record, and rewrites them in transactions of
 * {@value #RECORDS_PER_TRANSACTION} records, each record whole in one, so that appends and
 * reads go on meanwhile; then removes the tombstones past their retention, raising the
 * horizon in the same transaction, so that no reader finds a tombstone gone while the
 * horizon still lets its position through.
 */
final class JdbcLogCompaction {

	private static final int RECORDS_PER_TRANSACTION = 200;

	/** How long one compaction may hold the turn before another node may take it. */
	private static final Duration TURN = Duration.ofMinutes(10);

	private final ScribeLog log;

	private final JdbcClient jdbc;

	private final JdbcTemplate jdbcTemplate;

	private final TransactionTemplate transactions;

	private final String scribe;

	private final String client;

	private final String head;

	private final String turn;

	JdbcLogCompaction(ScribeLog log, JdbcClient jdbc, JdbcTemplate jdbcTemplate,
			PlatformTransactionManager transactionManager, String prefix) {
		this.log = log;
		this.jdbc = jdbc;
		this.jdbcTemplate = jdbcTemplate;
		this.transactions = new TransactionTemplate(transactionManager);
		this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.scribe = prefix + "scribe";
		this.client = prefix + "scribe_client";
		this.head = prefix + "log_head";
		this.turn = prefix + "log_compaction";
	}

	long horizon() {
		Long horizon = this.jdbc.sql("SELECT horizon FROM " + this.head + " WHERE id = 1").query(Long.class).optional()
			.orElse(null);
		return (horizon != null) ? horizon : 0;
	}

	Compaction.Report compact(Compaction compaction, Instant now) {
		if (!takeTurn(now)) {
			return Compaction.Report.nothing(horizon());
		}
		try {
			Long cutoff = this.jdbc.sql("SELECT id FROM " + this.scribe + " ORDER BY id DESC LIMIT 1 OFFSET ?")
				.param(compaction.keepRecent())
				.query(Long.class)
				.optional()
				.orElse(null);
			if (cutoff == null) {
				return Compaction.Report.nothing(horizon());
			}
			RecordFolds.Result folded = RecordFolds.upTo(this.log, cutoff);
			List<RecordFolds.Change> changes = folded.changes();
			for (int i = 0; i < changes.size(); i += RECORDS_PER_TRANSACTION) {
				List<RecordFolds.Change> batch = changes.subList(i, Math.min(changes.size(), i + RECORDS_PER_TRANSACTION));
				this.transactions.executeWithoutResult((status) -> write(batch));
			}
			markTombstones(new ArrayList<>(folded.tombstones()), now);
			int expired = expire(cutoff, now.minus(compaction.tombstoneRetention()));
			return new Compaction.Report(cutoff, folded.records(), folded.removed().size() + expired, expired, horizon());
		}
		finally {
			this.jdbc.sql("UPDATE " + this.turn + " SET locked_until = 0 WHERE id = 1").update();
		}
	}

	/** Takes this database's compaction turn unless another node holds it. */
	private boolean takeTurn(Instant now) {
		return this.jdbc.sql("UPDATE " + this.turn + " SET locked_until = ? WHERE id = 1 AND locked_until < ?")
			.params(now.plus(TURN).toEpochMilli(), now.toEpochMilli())
			.update() == 1;
	}

	private void write(List<RecordFolds.Change> changes) {
		List<Long> rewritten = new ArrayList<>();
		List<Object[]> clients = new ArrayList<>();
		List<ScribeEntry> written = new ArrayList<>();
		for (RecordFolds.Change change : changes) {
			rewritten.addAll(change.removed());
			for (ScribeEntry entry : change.written()) {
				rewritten.add(entry.id());
				written.add(entry);
				entry.recipients().listed().forEach((key) -> clients.add(new Object[] { entry.id(), key }));
			}
		}
		for (List<Long> ids : chunks(rewritten)) {
			this.jdbc.sql("DELETE FROM " + this.client + " WHERE scribe_id IN (:ids)").param("ids", ids).update();
		}
		for (RecordFolds.Change change : changes) {
			for (List<Long> ids : chunks(change.removed())) {
				this.jdbc.sql("DELETE FROM " + this.scribe + " WHERE id IN (:ids)").param("ids", ids).update();
			}
		}
		this.jdbcTemplate.batchUpdate("UPDATE " + this.scribe
				+ " SET klass = ?, type = ?, data = ?, everyone = ?, origin = NULL, cause = NULL, audience = ? WHERE id = ?",
				written, RECORDS_PER_TRANSACTION, (ps, entry) -> {
					ps.setString(1, entry.scribe().klass());
					ps.setString(2, entry.scribe().type().wireName());
					ps.setString(3, MessageCodec.writeTree(entry.scribe().data()));
					ps.setBoolean(4, entry.recipients().isEveryone());
					ps.setString(5, JdbcScribeLog.audienceText(entry));
					ps.setLong(6, entry.id());
				});
		this.jdbcTemplate.batchUpdate("INSERT INTO " + this.client + " (scribe_id, client) VALUES (?, ?)", clients,
				RECORDS_PER_TRANSACTION, (ps, row) -> {
					ps.setLong(1, (Long) row[0]);
					ps.setString(2, (String) row[1]);
				});
	}

	/** Notes when each tombstone was first kept. */
	private void markTombstones(List<Long> tombstones, Instant now) {
		for (List<Long> ids : chunks(tombstones)) {
			this.jdbc.sql("UPDATE " + this.scribe + " SET tombstone_at = :now WHERE id IN (:ids) AND tombstone_at IS NULL")
				.param("now", now.toEpochMilli())
				.param("ids", ids)
				.update();
		}
	}

	/**
	 * Removes the tombstones kept since before a time, and raises the horizon to the highest
	 * of them in the same transaction.
	 */
	private int expire(long cutoff, Instant keptBefore) {
		List<Long> expired = this.jdbc
			.sql("SELECT id FROM " + this.scribe + " WHERE tombstone_at IS NOT NULL AND tombstone_at <= ? AND id <= ?"
					+ " ORDER BY id")
			.params(keptBefore.toEpochMilli(), cutoff)
			.query(Long.class)
			.list();
		for (List<Long> ids : chunks(expired)) {
			this.transactions.executeWithoutResult((status) -> {
				long highest = ids.get(ids.size() - 1);
				this.jdbc.sql("UPDATE " + this.head + " SET horizon = ? WHERE id = 1 AND (horizon IS NULL OR horizon < ?)")
					.params(highest, highest)
					.update();
				this.jdbc.sql("DELETE FROM " + this.client + " WHERE scribe_id IN (:ids)").param("ids", ids).update();
				this.jdbc.sql("DELETE FROM " + this.scribe + " WHERE id IN (:ids)").param("ids", ids).update();
			});
		}
		return expired.size();
	}

	private static List<List<Long>> chunks(List<Long> ids) {
		List<List<Long>> chunks = new ArrayList<>();
		for (int i = 0; i < ids.size(); i += RECORDS_PER_TRANSACTION) {
			chunks.add(ids.subList(i, Math.min(ids.size(), i + RECORDS_PER_TRANSACTION)));
		}
		return chunks;
	}

}

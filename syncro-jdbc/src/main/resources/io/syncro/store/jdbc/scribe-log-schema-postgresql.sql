-- The scribe log of JdbcScribeLog on PostgreSQL and H2 (and any database without a script of its own),
-- safe to run again. scribe-log-schema-mariadb.sql says the same in MariaDB's words (MySQL
-- runs it too): keep the two in step.
-- %PREFIX% is replaced by the table-name prefix (syncro_ by default).

-- One row (id = 1) holding the highest id handed out. Every append updates it first,
-- so appends hold its row lock until they commit and ids become visible in order.
-- relayed holds the outbox positions of the last relayed append (ScribeLog.appendRelayed).
CREATE TABLE IF NOT EXISTS %PREFIX%log_head (
	id INT NOT NULL PRIMARY KEY,
	last_id BIGINT NOT NULL,
	relayed TEXT
);

ALTER TABLE %PREFIX%log_head ADD COLUMN IF NOT EXISTS relayed TEXT;

-- epoch: the history the log holds (ScribeLog.epoch), set once, changed by rotateEpoch()
-- after the database was set back to a backup
ALTER TABLE %PREFIX%log_head ADD COLUMN IF NOT EXISTS epoch VARCHAR(64);

INSERT INTO %PREFIX%log_head (id, last_id)
	SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM %PREFIX%log_head WHERE id = 1);

-- The scribes, where data holds the scribe's data as JSON text. everyone tells whether the
-- rows of scribe_client for a scribe list the clients left out (true) or the only
-- clients meant (false).
CREATE TABLE IF NOT EXISTS %PREFIX%scribe (
	id BIGINT NOT NULL PRIMARY KEY,
	klass VARCHAR(128) NOT NULL,
	type VARCHAR(16) NOT NULL,
	data TEXT NOT NULL,
	everyone BOOLEAN NOT NULL,
	origin VARCHAR(64),
	cause VARCHAR(100)
);

-- cause: the client scribe whose play recorded the scribe, as 'uid#id' (protocol v2 tells
-- the client where its write landed)
ALTER TABLE %PREFIX%scribe ADD COLUMN IF NOT EXISTS cause VARCHAR(100);

-- The primary key serves the per-row look-up of a reader in every read.
-- client: a recipient key (Recipients.listed()): a client uid, @user, ~authority, a pair of
-- them joined by &, or one of those prefixed with ! (excluded)
CREATE TABLE IF NOT EXISTS %PREFIX%scribe_client (
	scribe_id BIGINT NOT NULL,
	client VARCHAR(512) NOT NULL,
	PRIMARY KEY (scribe_id, client)
);
-- JdbcScribeLog widens the client column of a table made by version 0.1 (VARCHAR(64))

-- audience: who receives the record once the scribe's change is made (ScribeEntry.audience),
-- as JSON {"everyone": …, "clients": […]}; what compaction folds a record for. Null for
-- scribes written before it was kept.
ALTER TABLE %PREFIX%scribe ADD COLUMN IF NOT EXISTS audience TEXT;

-- tombstone_at: when compaction first kept the destroy as a tombstone (epoch milliseconds);
-- it goes once older than syncro.log.compaction.tombstone-retention
ALTER TABLE %PREFIX%scribe ADD COLUMN IF NOT EXISTS tombstone_at BIGINT;

CREATE INDEX IF NOT EXISTS %PREFIX%scribe_tombstone_at ON %PREFIX%scribe (tombstone_at);

-- horizon: the highest id of a tombstone compaction removed (ScribeLog.horizon)
ALTER TABLE %PREFIX%log_head ADD COLUMN IF NOT EXISTS horizon BIGINT;

-- One row (id = 1): a node compacting holds it until locked_until (epoch milliseconds), so
-- that nodes sharing the database compact one at a time.
CREATE TABLE IF NOT EXISTS %PREFIX%log_compaction (
	id INT NOT NULL PRIMARY KEY,
	locked_until BIGINT NOT NULL
);

INSERT INTO %PREFIX%log_compaction (id, locked_until)
	SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM %PREFIX%log_compaction WHERE id = 1);

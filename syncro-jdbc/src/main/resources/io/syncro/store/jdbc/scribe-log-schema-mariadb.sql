-- The scribe log of JdbcScribeLog on MariaDB, safe to run again: scribe-log-schema-postgresql.sql
-- statement by statement (see it for what the tables and columns hold), keep the two in
-- step. %PREFIX% is replaced by the table-name prefix (syncro_ by default).
-- The tables are InnoDB, for its row locks and transactions, in utf8mb4 with a binary
-- collation that pads no spaces, so that recipient keys compare as on PostgreSQL and H2
-- (MariaDB's default collations take "@Alice" and "@alice " for "@alice"); TEXT is
-- LONGTEXT, as MariaDB's TEXT holds at most 64 KB.

CREATE TABLE IF NOT EXISTS %PREFIX%log_head (
	id INT NOT NULL PRIMARY KEY,
	last_id BIGINT NOT NULL,
	relayed LONGTEXT
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

ALTER TABLE %PREFIX%log_head ADD COLUMN IF NOT EXISTS relayed LONGTEXT;

ALTER TABLE %PREFIX%log_head ADD COLUMN IF NOT EXISTS epoch VARCHAR(64);

INSERT INTO %PREFIX%log_head (id, last_id) VALUES (1, 0) ON DUPLICATE KEY UPDATE id = id;

CREATE TABLE IF NOT EXISTS %PREFIX%scribe (
	id BIGINT NOT NULL PRIMARY KEY,
	klass VARCHAR(128) NOT NULL,
	type VARCHAR(16) NOT NULL,
	data LONGTEXT NOT NULL,
	everyone BOOLEAN NOT NULL,
	origin VARCHAR(64),
	cause VARCHAR(100)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

ALTER TABLE %PREFIX%scribe ADD COLUMN IF NOT EXISTS cause VARCHAR(100);

-- The primary key takes 4 bytes a character of client: 2056 bytes, within InnoDB's 3072.
CREATE TABLE IF NOT EXISTS %PREFIX%scribe_client (
	scribe_id BIGINT NOT NULL,
	client VARCHAR(512) NOT NULL,
	PRIMARY KEY (scribe_id, client)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

ALTER TABLE %PREFIX%scribe ADD COLUMN IF NOT EXISTS audience LONGTEXT;

ALTER TABLE %PREFIX%scribe ADD COLUMN IF NOT EXISTS tombstone_at BIGINT;

CREATE INDEX IF NOT EXISTS %PREFIX%scribe_tombstone_at ON %PREFIX%scribe (tombstone_at);

ALTER TABLE %PREFIX%log_head ADD COLUMN IF NOT EXISTS horizon BIGINT;

CREATE TABLE IF NOT EXISTS %PREFIX%log_compaction (
	id INT NOT NULL PRIMARY KEY,
	locked_until BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

INSERT INTO %PREFIX%log_compaction (id, locked_until) VALUES (1, 0) ON DUPLICATE KEY UPDATE id = id;

-- The outbox of JdbcScribeOutbox on MariaDB, safe to run again: outbox-schema-postgresql.sql statement
-- by statement (see it for what the tables and columns hold), keep the two in step.
-- %PREFIX% is replaced by the table-name prefix (syncro_ by default).
-- The tables are InnoDB, for its row locks and transactions, whose AUTO_INCREMENT counter
-- survives a restart (since MariaDB 10.2.4), so that no seq is handed out twice; TEXT is
-- LONGTEXT, as MariaDB's TEXT holds at most 64 KB.

CREATE TABLE IF NOT EXISTS %PREFIX%outbox (
	seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	entries LONGTEXT NOT NULL
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS %PREFIX%outbox_relay (
	id INT NOT NULL PRIMARY KEY,
	relayed_at BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

INSERT INTO %PREFIX%outbox_relay (id, relayed_at) VALUES (1, 0) ON DUPLICATE KEY UPDATE id = id;

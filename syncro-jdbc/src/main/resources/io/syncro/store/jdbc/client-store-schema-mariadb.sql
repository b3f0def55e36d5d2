-- The client state of JdbcClientStore on MariaDB, safe to run again: client-store-schema-postgresql.sql
-- statement by statement (see it for what the tables and columns hold), keep the two in
-- step. %PREFIX% is replaced by the table-name prefix (syncro_ by default).
-- The tables are InnoDB, for its row locks and transactions, in utf8mb4 with a binary
-- collation that pads no spaces, so that uids and principals compare as on PostgreSQL and
-- H2 (MariaDB's default collations take "Alice" and "alice " for "alice"); TEXT is
-- LONGTEXT, as MariaDB's TEXT holds at most 64 KB.

CREATE TABLE IF NOT EXISTS %PREFIX%client (
	uid VARCHAR(64) NOT NULL PRIMARY KEY,
	mark BIGINT NOT NULL,
	synced BOOLEAN NOT NULL,
	principal VARCHAR(255),
	bound_at BIGINT,
	last_seen BIGINT
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

ALTER TABLE %PREFIX%client ADD COLUMN IF NOT EXISTS bound_at BIGINT;

ALTER TABLE %PREFIX%client ADD COLUMN IF NOT EXISTS last_seen BIGINT;

CREATE INDEX IF NOT EXISTS %PREFIX%client_principal ON %PREFIX%client (principal, bound_at);

CREATE INDEX IF NOT EXISTS %PREFIX%client_last_seen ON %PREFIX%client (last_seen);

CREATE TABLE IF NOT EXISTS %PREFIX%refusal (
	uid VARCHAR(64) NOT NULL,
	scribe_id BIGINT NOT NULL,
	code INT NOT NULL,
	message LONGTEXT NOT NULL,
	PRIMARY KEY (uid, scribe_id)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS %PREFIX%client_expiry (
	id INT NOT NULL PRIMARY KEY,
	locked_until BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

INSERT INTO %PREFIX%client_expiry (id, locked_until) VALUES (1, 0) ON DUPLICATE KEY UPDATE id = id;

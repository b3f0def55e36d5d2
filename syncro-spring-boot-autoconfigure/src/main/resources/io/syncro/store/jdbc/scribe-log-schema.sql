-- The scribe log of JdbcScribeLog, valid on PostgreSQL and H2 and safe to run again.
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

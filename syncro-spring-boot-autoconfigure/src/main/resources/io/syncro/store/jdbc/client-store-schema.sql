-- The client state of JdbcClientStore, valid on PostgreSQL and H2 and safe to run again.
-- %PREFIX% is replaced by the table-name prefix (syncro_ by default).

CREATE TABLE IF NOT EXISTS %PREFIX%client (
	uid VARCHAR(64) NOT NULL PRIMARY KEY,
	mark BIGINT NOT NULL,
	synced BOOLEAN NOT NULL,
	principal VARCHAR(255)
);

-- The primary key also serves trimming the oldest refusals of a uid.
CREATE TABLE IF NOT EXISTS %PREFIX%refusal (
	uid VARCHAR(64) NOT NULL,
	scribe_id BIGINT NOT NULL,
	code INT NOT NULL,
	message TEXT NOT NULL,
	PRIMARY KEY (uid, scribe_id)
);

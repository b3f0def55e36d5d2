-- The client state of JdbcClientStore on PostgreSQL and H2 (and any database without a script of its own),
-- safe to run again. client-store-schema-mariadb.sql says the same in MariaDB's words (MySQL
-- runs it too): keep the two in step.
-- %PREFIX% is replaced by the table-name prefix (syncro_ by default).

-- bound_at: when principal was bound; last_seen: when the uid last connected or was seen
-- connected (both epoch milliseconds)
CREATE TABLE IF NOT EXISTS %PREFIX%client (
	uid VARCHAR(64) NOT NULL PRIMARY KEY,
	mark BIGINT NOT NULL,
	synced BOOLEAN NOT NULL,
	principal VARCHAR(255),
	bound_at BIGINT,
	last_seen BIGINT
);

-- added after the first release: rows from before have neither, and expiry adopts them
ALTER TABLE %PREFIX%client ADD COLUMN IF NOT EXISTS bound_at BIGINT;

ALTER TABLE %PREFIX%client ADD COLUMN IF NOT EXISTS last_seen BIGINT;

-- counting a principal's uids, and those bound in the last hour, before binding a new one
CREATE INDEX IF NOT EXISTS %PREFIX%client_principal ON %PREFIX%client (principal, bound_at);

-- finding the uids to expire
CREATE INDEX IF NOT EXISTS %PREFIX%client_last_seen ON %PREFIX%client (last_seen);

-- The primary key also serves trimming the oldest refusals of a uid.
CREATE TABLE IF NOT EXISTS %PREFIX%refusal (
	uid VARCHAR(64) NOT NULL,
	scribe_id BIGINT NOT NULL,
	code INT NOT NULL,
	message TEXT NOT NULL,
	PRIMARY KEY (uid, scribe_id)
);

-- One row (id = 1): a node expiring uids holds it until locked_until (epoch
-- milliseconds), so that nodes sharing the database expire one at a time.
CREATE TABLE IF NOT EXISTS %PREFIX%client_expiry (
	id INT NOT NULL PRIMARY KEY,
	locked_until BIGINT NOT NULL
);

INSERT INTO %PREFIX%client_expiry (id, locked_until)
	SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM %PREFIX%client_expiry WHERE id = 1);

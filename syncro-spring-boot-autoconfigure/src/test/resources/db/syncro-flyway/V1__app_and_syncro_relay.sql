-- An application's migration that creates one of Syncro's tables itself, with a row of its
-- own: it fails if Syncro's initializer has run before it.
CREATE TABLE app_note (id VARCHAR(36) PRIMARY KEY, title VARCHAR(500) NOT NULL);
CREATE TABLE syncro_outbox_relay (id INT NOT NULL PRIMARY KEY, relayed_at BIGINT NOT NULL);
INSERT INTO syncro_outbox_relay (id, relayed_at) VALUES (1, 42);

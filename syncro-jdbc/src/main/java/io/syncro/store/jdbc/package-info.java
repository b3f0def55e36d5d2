/**
 * The scribe log, the client store and the outbox on a relational database, through the
 * application's {@link javax.sql.DataSource}: PostgreSQL, MariaDB (tested on
 * 10.11; its scripts need 10.3 or later, and do not run on MySQL) and H2.
 */
@NullMarked
package io.syncro.store.jdbc;

import org.jspecify.annotations.NullMarked;

/**
 * The scribe log and the client store on a relational database, through the
 * application's {@link javax.sql.DataSource}: PostgreSQL and H2.
 */
@NullMarked
package io.syncro.store.jdbc;

import org.jspecify.annotations.NullMarked;

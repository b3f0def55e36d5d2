/**
 * Scribes, the records of one change to one record, and who receives them.
 */
@NullMarked
package io.syncro.scribe;

import org.jspecify.annotations.NullMarked;

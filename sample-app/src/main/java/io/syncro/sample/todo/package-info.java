/**
 * The sample app's todos.
 */
@NullMarked
package io.syncro.sample.todo;

import org.jspecify.annotations.NullMarked;

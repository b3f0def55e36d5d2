/**
 * Who may connect to the sample app's sync endpoint: its users, their logins and the
 * session the page gets.
 */
@NullMarked
package io.syncro.sample.security;

import org.jspecify.annotations.NullMarked;

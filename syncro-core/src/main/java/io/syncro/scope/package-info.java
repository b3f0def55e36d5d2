/**
 * Subscriptions: named scopes that narrow a klass for a v2 client.
 */
@NullMarked
package io.syncro.scope;

import org.jspecify.annotations.NullMarked;

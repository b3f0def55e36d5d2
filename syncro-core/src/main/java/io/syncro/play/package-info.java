/**
 * Playing inbound scribes into local state: the registry of synchronised classes, players and policies.
 */
@NullMarked
package io.syncro.play;

import org.jspecify.annotations.NullMarked;

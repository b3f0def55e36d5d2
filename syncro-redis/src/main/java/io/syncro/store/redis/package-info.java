/**
 * The scribe log and the client store on Redis, through Spring Data Redis and Lettuce:
 * Lua scripts for every multi-step change, pub/sub to wake the other nodes.
 */
@NullMarked
package io.syncro.store.redis;

import org.jspecify.annotations.NullMarked;

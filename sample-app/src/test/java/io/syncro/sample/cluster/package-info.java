/**
 * Tests of the sample app run as a cluster: several nodes, in one JVM or as processes
 * killed with {@code kill -9}, sharing one Redis scribe log and one PostgreSQL database,
 * with clients that reconnect.
 */
@NullMarked
package io.syncro.sample.cluster;

import org.jspecify.annotations.NullMarked;

/**
 * Reliability tests of the sample app on a real Tomcat: retries across dropped
 * connections, hostile input, slow consumers.
 */
@NullMarked
package io.syncro.sample.reliability;

import org.jspecify.annotations.NullMarked;

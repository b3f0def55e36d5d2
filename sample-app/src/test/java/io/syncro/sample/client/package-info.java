/**
 * End-to-end tests of the Java client against the sample app on a real Tomcat: offline
 * edits, lost connections, a client process restarted on its file store, convergence.
 */
@NullMarked
package io.syncro.sample.client;

import org.jspecify.annotations.NullMarked;

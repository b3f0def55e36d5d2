/**
 * Recording and playing the changes of JPA entities marked {@link io.syncro.play.Syncable}:
 * the interceptor around their Spring Data repositories, the recorder that appends their
 * scribes when transactions commit, and the player of inbound scribes.
 */
@NullMarked
package io.syncro.recording;

import org.jspecify.annotations.NullMarked;

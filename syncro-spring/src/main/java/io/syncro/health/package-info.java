/**
 * Health of Syncro's stores for Spring Boot's health endpoint.
 */
@NullMarked
package io.syncro.health;

import org.jspecify.annotations.NullMarked;

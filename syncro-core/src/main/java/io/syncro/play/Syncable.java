package io.syncro.play;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a JPA entity whose records are synchronised with clients. Saves and deletes
 * through its Spring Data repository are recorded as scribes (see {@code io.syncro.recording.ScribeRecorder} in {@code syncro-spring}),
 * and scribes that clients send for it are played through that repository, as far as the
 * entity's {@link SyncroPolicy} allows.
 * <p>
 * Clients create records offline, so a record's id is chosen by whoever creates it. The
 * entity must therefore have a single id attribute named {@code id}, of type
 * {@code String} (UUID text recommended), {@link java.util.UUID}, {@code long} or
 * {@code int} (boxed or not), and no id generator ({@code @GeneratedValue} or another).
 * The application fails to start otherwise. The record's attributes are its JSON as the
 * application's {@code JsonMapper} writes it.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Syncable {

	/**
	 * The class name in scribes (the protocol's {@code klass}); the entity's simple class
	 * name by default.
	 * @return the klass name, or empty for the default
	 */
	String value() default "";

}

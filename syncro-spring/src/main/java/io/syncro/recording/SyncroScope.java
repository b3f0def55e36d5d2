package io.syncro.recording;

import java.util.function.Function;

import io.syncro.play.Syncable;
import io.syncro.scribe.Identity;

import org.springframework.data.jpa.domain.Specification;
import org.springframework.util.Assert;

/**
 * A named scope of a {@link Syncable} entity that v2 clients subscribe to, with
 * parameters (PROTOCOL.md section 8.7): the records a {@link Specification} selects,
 * among those the entity's policy gives the client. Declare one as a bean beside the
 * entity's policy:
 * <pre class="code">
 * &#64;Bean
 * SyncroScope&lt;Todo&gt; listTodos(TodoListRepository lists) {
 *     return SyncroScope.of("listTodos", Todo.class, ListParams.class, (params, who) -&gt; {
 *         if (!lists.isMember(params.listId(), who.user())) {
 *             throw SyncroException.forbidden("Only the list's members see its Todos.");
 *         }
 *         return (root, query, cb) -&gt; cb.equal(root.get("listId"), params.listId());
 *     });
 * }
 * </pre>
 * The parameters are read from the client's JSON into the given type, strictly (an
 * unknown, missing or {@code null} parameter is refused with 400), and reach the query as
 * values, which a {@code Specification} binds: they are never part of the query's text.
 *
 * @param <T> the entity type
 * @since 0.2.0
 */
public final class SyncroScope<T> {

	private final String name;

	private final Class<T> entityType;

	private final Class<?> paramsType;

	private final Query<T, Object> query;

	@SuppressWarnings("unchecked")
	private SyncroScope(String name, Class<T> entityType, Class<?> paramsType, Query<T, ?> query) {
		Assert.hasText(name, "A scope needs a name");
		Assert.notNull(entityType, "A scope needs an entity type");
		Assert.notNull(paramsType, "A scope needs a type for its parameters");
		Assert.notNull(query, "A scope needs a query");
		this.name = name;
		this.entityType = entityType;
		this.paramsType = paramsType;
		this.query = (Query<T, Object>) query;
	}

	/**
	 * A scope with parameters.
	 * @param <T> the entity type
	 * @param <P> the parameters' type, typically a record
	 * @param name the name clients subscribe to
	 * @param entityType the entity it narrows
	 * @param paramsType the type the parameters are read into
	 * @param query the records in the scope for given parameters and client; throws a
	 * {@link io.syncro.protocol.SyncroException} with code 403 for a client that may not
	 * subscribe to it
	 * @return the scope
	 */
	public static <T, P> SyncroScope<T> of(String name, Class<T> entityType, Class<P> paramsType, Query<T, P> query) {
		return new SyncroScope<>(name, entityType, paramsType, query);
	}

	/**
	 * A scope without parameters.
	 * @param <T> the entity type
	 * @param name the name clients subscribe to
	 * @param entityType the entity it narrows
	 * @param query the records in the scope for a client
	 * @return the scope
	 */
	public static <T> SyncroScope<T> of(String name, Class<T> entityType, Function<Identity, Specification<T>> query) {
		return new SyncroScope<>(name, entityType, NoParams.class, (NoParams params, Identity who) -> query.apply(who));
	}

	/**
	 * The name clients subscribe to.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	Class<T> entityType() {
		return this.entityType;
	}

	Class<?> paramsType() {
		return this.paramsType;
	}

	Specification<T> specification(Object params, Identity who) {
		return this.query.specification(params, who);
	}

	/**
	 * The records in a scope.
	 * @param <T> the entity type
	 * @param <P> the parameters' type
	 */
	@FunctionalInterface
	public interface Query<T, P> {

		/**
		 * The records in the scope for given parameters and client.
		 * @param params the parameters
		 * @param who the subscribing client
		 * @return the query
		 */
		Specification<T> specification(P params, Identity who);

	}

	/** The parameters of a scope that has none: an empty object. */
	record NoParams() {
	}

}

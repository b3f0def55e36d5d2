package io.syncro.scope;

import tools.jackson.databind.JsonNode;

/**
 * A client's subscription to a scope, its parameters checked and bound.
 *
 * @param scope the scope's name
 * @param params its parameters as the client sent them
 * @param klass the klass it narrows
 * @param query the bound query, as the {@link Scopes} that made it reads it
 * @since 0.2.0
 */
public record Subscription(String scope, JsonNode params, String klass, Object query) {

	/**
	 * Whether this is the subscription to a scope with given parameters.
	 * @param scope the scope's name
	 * @param params its parameters
	 * @return whether it is
	 */
	public boolean is(String scope, JsonNode params) {
		return this.scope.equals(scope) && this.params.equals(params);
	}

	@Override
	public String toString() {
		return this.scope + this.params;
	}

}

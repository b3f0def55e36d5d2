package io.syncro.rpc;

import io.syncro.scribe.Identity;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.syncro.protocol.ErrorCodes;
import io.syncro.protocol.SyncroException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The methods exposed to rpc, per klass. Nothing is callable unless exposed here: an
 * unknown klass is answered 404, a known klass's unexposed method 405.
 *
 * @since 0.1.0
 */
public final class RpcRegistry {

	private final Map<String, Map<String, RpcMethod>> methods = new ConcurrentHashMap<>();

	/**
	 * Exposes a method.
	 * @param klass the rpc klass
	 * @param method the method name
	 * @param implementation what it does
	 * @return this registry
	 */
	public RpcRegistry expose(String klass, String method, RpcMethod implementation) {
		this.methods.computeIfAbsent(klass, (name) -> new ConcurrentHashMap<>()).put(method, implementation);
		return this;
	}

	/**
	 * Calls an exposed method.
	 * @param client the calling client
	 * @param klass the rpc klass
	 * @param method the method name
	 * @param args the arguments
	 * @return the result
	 * @throws SyncroException with code 404 or 405 if not exposed, or as the method fails
	 */
	public JsonNode call(Identity client, String klass, String method, ArrayNode args) {
		Map<String, RpcMethod> exposed = this.methods.get(klass);
		if (exposed == null) {
			throw new SyncroException(ErrorCodes.NOT_FOUND, "There is no rpc klass named '" + klass + "'.");
		}
		RpcMethod implementation = exposed.get(method);
		if (implementation == null) {
			throw new SyncroException(ErrorCodes.METHOD_NOT_ALLOWED,
					"The method '" + method + "' is not exposed on '" + klass + "'.");
		}
		return implementation.call(client, args);
	}

}

package io.syncro.rpc;

import io.syncro.scribe.Identity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * A method a peer may call by rpc.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RpcMethod {

	/**
	 * Calls the method.
	 * @param client the calling client's uid
	 * @param args the arguments
	 * @return the result, any JSON value
	 * @throws io.syncro.protocol.SyncroException to answer with an error
	 */
	JsonNode call(String client, ArrayNode args);

	/**
	 * Calls the method for a client whose user and authorities are known; by default as
	 * {@link #call(String, ArrayNode)} with its uid.
	 * @param who the calling client
	 * @param args the arguments
	 * @return the result
	 * @since 0.2.0
	 */
	default JsonNode call(Identity who, ArrayNode args) {
		return call(who.client(), args);
	}

}

package io.syncro.rpc;

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

}

package io.syncro.autoconfigure;

import io.syncro.rpc.RpcRegistry;

/**
 * Exposes an application's methods to rpc: declare beans of this type to add to the
 * auto-configured {@link RpcRegistry}. Nothing is callable unless exposed.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RpcRegistryCustomizer {

	/**
	 * Adds methods to the registry.
	 * @param registry the registry
	 */
	void customize(RpcRegistry registry);

}

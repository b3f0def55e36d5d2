package io.syncro.sample.chaos;

import java.net.URI;

/**
 * One client of a run: who it is and which proxy it connects through.
 * @param uid the client uid
 * @param user the sample user it signs in as (its password is the name and
 * {@code -secret}), who owns the Pages it creates and receives every Page of hers
 * @param node the node it talks to, counted from 1
 * @param server the Syncro endpoint through that node's proxy, {@code ws://…/syncro}
 */
record ClientSpec(String uid, String user, int node, URI server) {

	String password() {
		return this.user + "-secret";
	}

}

package io.syncro.sample.security;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The sample app's users, from {@code sample.users.<name>=<password>}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("sample")
public class SampleUsers {

	/**
	 * Passwords by user name; each user may sign in to the page or authenticate the sync
	 * handshake with HTTP Basic.
	 */
	private Map<String, String> users = new LinkedHashMap<>();

	/**
	 * The users with the {@code ADMIN} role, who may use Actuator's endpoints beyond
	 * health (such as {@code /actuator/syncro/explain}).
	 */
	private Set<String> admins = new LinkedHashSet<>();

	public Set<String> getAdmins() {
		return this.admins;
	}

	public void setAdmins(Set<String> admins) {
		this.admins = admins;
	}

	public Map<String, String> getUsers() {
		return this.users;
	}

	public void setUsers(Map<String, String> users) {
		this.users = users;
	}

}

package io.syncro.sample;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat's buffers cut for many idle WebSocket connections, as docs/PERFORMANCE.md
 * measures them: most of an idle connection's heap is buffers Tomcat allocates up front.
 * They are server-wide settings, so they belong to the application rather than the
 * starter (which cuts only its own sessions' text buffers); this app has no other
 * WebSocket endpoint and small requests. {@link SampleApplication#main} also sets Tomcat's
 * WebSocket frame buffers, which only a system property reaches.
 */
@Configuration(proxyBeanMethods = false)
class TomcatTuning {

	/** The bytes each connection's socket reads into and writes from (Tomcat: 8,192). */
	static final int SOCKET_BUFFER_BYTES = 4096;

	/** The bytes of an incoming binary message a WebSocket buffers (Tomcat: 8,192). */
	static final int BINARY_MESSAGE_BUFFER_BYTES = 1024;

	@Bean
	TomcatConnectorCustomizer smallSocketBuffers() {
		return (connector) -> {
			connector.setProperty("socket.appReadBufSize", String.valueOf(SOCKET_BUFFER_BYTES));
			connector.setProperty("socket.appWriteBufSize", String.valueOf(SOCKET_BUFFER_BYTES));
		};
	}

	@Bean
	TomcatContextCustomizer smallBinaryMessageBuffers() {
		return (context) -> context.addParameter("org.apache.tomcat.websocket.binaryBufferSize",
				String.valueOf(BINARY_MESSAGE_BUFFER_BYTES));
	}

}

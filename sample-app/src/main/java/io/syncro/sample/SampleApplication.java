package io.syncro.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Syncro sample app: a shared Todo list and private Pages, synchronised with every
 * connected client.
 *
 * @since 0.1.0
 */
@SpringBootApplication
public class SampleApplication {

	/** Tomcat's WebSocket frame buffers in and out (8,192 bytes each by default). */
	static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

	public static void main(String[] args) {
		// read once, when Tomcat's WebSocket classes load; see TomcatTuning
		System.getProperties().putIfAbsent(WEBSOCKET_BUFFER_PROPERTY, "4096");
		SpringApplication.run(SampleApplication.class, args);
	}

}

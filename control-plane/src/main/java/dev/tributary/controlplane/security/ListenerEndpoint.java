package dev.tributary.controlplane.security;

import jakarta.inject.Singleton;
import io.quarkus.runtime.LaunchMode;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * {@code https://host:port} of the one TLS listener, as clients (and this server's own token
 * verifier) reach it. Known only once the listener is bound (port 0 picks a free port), so it is
 * computed on first use, which is always after the listener is up (a request, or the
 * listener-started event).
 */
@Singleton
public class ListenerEndpoint {
    private static final Set<String> LOOPBACK_OR_ANY = Set.of("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "::", "[::]");

    private volatile String endpoint;

    /** The endpoint URL; fails if the listener has not bound its port yet. */
    public String url() {
        String known = endpoint;
        if (known == null) {
            Config config = ConfigProvider.getConfig();
            int port = boundPort();
            if (port <= 0) {
                throw new IllegalStateException("the TLS listener has not bound its port yet");
            }
            String host = config.getOptionalValue("tributary.listen.host", String.class).orElse("localhost");
            known = "https://" + endpointHost(host) + ":" + port;
            endpoint = known;
        }
        return known;
    }

    /**
     * The port the listener is bound to. When it differs from the configured one (port 0 picks a
     * free port) Quarkus publishes it in the system property {@code quarkus.http.ssl-port} once it is
     * listening; otherwise the configured port ({@code quarkus.http.test-ssl-port} in tests) is it.
     */
    public static int boundPort() {
        String published = System.getProperty("quarkus.http.ssl-port");
        if (published != null && Integer.parseInt(published) > 0) {
            return Integer.parseInt(published);
        }
        Config config = ConfigProvider.getConfig();
        return LaunchMode.current() == LaunchMode.TEST
                ? config.getOptionalValue("quarkus.http.test-ssl-port", Integer.class).orElse(8444)
                : config.getOptionalValue("quarkus.http.ssl-port", Integer.class).orElse(8443);
    }

    /** The development certificate names localhost; another bound address is what clients must use. */
    public static String endpointHost(String listenHost) {
        if (LOOPBACK_OR_ANY.contains(listenHost)) {
            return "localhost";
        }
        return listenHost.contains(":") && !listenHost.startsWith("[") ? "[" + listenHost + "]" : listenHost;
    }
}

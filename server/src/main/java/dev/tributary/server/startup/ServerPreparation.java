package dev.tributary.server.startup;

import dev.tributary.server.files.PrivateFiles;
import dev.tributary.server.tls.DevelopmentTls;
import dev.tributary.server.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What must exist before Quarkus reads its configuration: the data directory and the TLS files the
 * HTTPS listener is configured with. Run by {@link dev.tributary.server.TributaryMain} in
 * production and by the test resource in tests, so that both go through the same code.
 */
public final class ServerPreparation {
    public static final String DATA_DIR_PROPERTY = "tributary.data-dir";
    public static final String DATA_DIR_ENV = "TRIBUTARY_DATA_DIR";
    public static final String DEFAULT_DATA_DIR = "./data";
    /** Name of the Quarkus TLS registry configuration of the listener (see application.properties). */
    public static final String TLS_CONFIGURATION = "tributary";
    public static final String TLS_DIR = "tls";
    /** TLS configuration of clients inside the server that call its own listener (the JWKS fetch). */
    public static final String INTERNAL_CLIENT_TLS_CONFIGURATION =
            dev.tributary.controlplane.security.BuiltInIssuerTenantConfigResolver.TLS_CONFIGURATION;

    private ServerPreparation() {}

    /**
     * The prepared data directory.
     *
     * @param dataDir absolute data directory
     * @param tls the listener's TLS files
     */
    public record Prepared(Path dataDir, TlsMaterial tls) {
        /** Configuration that points Quarkus (and {@code tributary.data-dir}) at what was prepared. */
        public Map<String, String> quarkusProperties() {
            String prefix = "quarkus.tls." + TLS_CONFIGURATION + ".key-store.pem.server.";
            Map<String, String> props = new LinkedHashMap<>();
            props.put(DATA_DIR_PROPERTY, dataDir.toString());
            props.put(prefix + "cert", tls.serverCert().toString());
            props.put(prefix + "key", tls.serverKey().toString());
            // The server's own token verifier fetches the JWKS from this listener: trust the CA.
            props.put("quarkus.tls." + INTERNAL_CLIENT_TLS_CONFIGURATION + ".trust-store.pem.certs", tls.caCert().toString());
            return props;
        }
    }

    /**
     * The data directory as configured before Quarkus runs: system property {@value
     * #DATA_DIR_PROPERTY}, else environment variable {@value #DATA_DIR_ENV}, else {@value
     * #DEFAULT_DATA_DIR}, made absolute against the working directory.
     */
    public static Path configuredDataDir() {
        String value = System.getProperty(DATA_DIR_PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(DATA_DIR_ENV);
        }
        if (value == null || value.isBlank()) {
            value = DEFAULT_DATA_DIR;
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    public static Prepared prepare(Path dataDir, Clock clock) {
        Path dir = PrivateFiles.createPrivateDirectories(dataDir.toAbsolutePath().normalize());
        TlsMaterial tls = DevelopmentTls.prepare(dir.resolve(TLS_DIR), clock);
        return new Prepared(dir, tls);
    }
}

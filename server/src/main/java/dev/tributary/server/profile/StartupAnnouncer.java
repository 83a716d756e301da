package dev.tributary.server.profile;

import dev.tributary.server.cluster.NodeIdentity;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.startup.ServerPreparation;
import dev.tributary.server.storage.StoreProducer;
import dev.tributary.server.tls.DevelopmentTls;
import io.quarkus.vertx.http.HttpsServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.nio.file.Path;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Once the HTTPS listener is up, writes the connection profile with its real port (port 0 picks a
 * free one) and logs how to connect.
 */
@ApplicationScoped
public class StartupAnnouncer {
    private static final Logger LOG = Logger.getLogger(StartupAnnouncer.class);
    private static final Set<String> LOOPBACK_OR_ANY = Set.of("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "::", "[::]");

    private final TributaryConfig config;
    private final NodeIdentity node;
    private final String serverVersion;

    StartupAnnouncer(TributaryConfig config, NodeIdentity node,
            @ConfigProperty(name = "quarkus.application.version") String serverVersion) {
        this.config = config;
        this.node = node;
        this.serverVersion = serverVersion;
    }

    void onHttpsStart(@ObservesAsync HttpsServerStart start) {
        int port = actualPort(start.options().getPort());
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        Path caFile = dataDir.resolve(ServerPreparation.TLS_DIR).resolve(DevelopmentTls.CA_CERT);
        Path profileFile = dataDir.resolve(ConnectionProfile.FILE_NAME);
        String endpoint = "https://" + endpointHost(config.listen().host()) + ":" + port;
        try {
            new ConnectionProfile(endpoint, caFile).writeTo(profileFile);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not write the connection profile %s; clients must be configured by hand", profileFile);
        }
        LOG.info(banner(endpoint, caFile, profileFile, dataDir));
    }

    /**
     * With port 0 the options carry 0 or a negative number (Vert.x's "random port shared by all
     * event loops"); Quarkus publishes the bound port in the system property
     * {@code quarkus.http.ssl-port} (and {@code quarkus.http.test-ssl-port} in tests) before it
     * fires this event.
     */
    private static int actualPort(int configured) {
        if (configured > 0) {
            return configured;
        }
        for (String name : new String[] {"quarkus.http.test-ssl-port", "quarkus.http.ssl-port"}) {
            String value = System.getProperty(name);
            if (value != null && Integer.parseInt(value) > 0) {
                return Integer.parseInt(value);
            }
        }
        return ConfigProvider.getConfig().getValue("quarkus.http.ssl-port", Integer.class);
    }

    /** The development certificate names localhost; another bound address is what clients must use. */
    static String endpointHost(String listenHost) {
        if (LOOPBACK_OR_ANY.contains(listenHost)) {
            return "localhost";
        }
        return listenHost.contains(":") && !listenHost.startsWith("[") ? "[" + listenHost + "]" : listenHost;
    }

    private String banner(String endpoint, Path caFile, Path profileFile, Path dataDir) {
        String cacert = "--cacert " + shellQuote(caFile.toString());
        String nl = System.lineSeparator();
        return nl
                + "==================================================================" + nl
                + " Tributary " + serverVersion + " is listening (node " + node.nodeId() + ")" + nl
                + "   Endpoint (REST + gRPC, TLS only): " + endpoint + nl
                + "   CA certificate:                   " + caFile + nl
                + "   Connection profile:               " + profileFile + nl
                + "   Data directory:                   " + dataDir + nl
                + "   Storage backend:                  " + config.storage().backend().configName() + " "
                + StoreProducer.describe(StoreProducer.storeConfig(config)) + nl
                + nl
                + " Try it:" + nl
                + "   curl " + cacert + " " + endpoint + "/q/health/ready" + nl
                + "   curl " + cacert + " " + endpoint + "/v1/cluster" + nl
                + "   curl " + cacert + " -s " + endpoint + "/q/metrics | head" + nl
                + " gRPC: tributary.v1.ClusterService/GetClusterInfo on the same endpoint." + nl
                + "==================================================================";
    }

    private static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}

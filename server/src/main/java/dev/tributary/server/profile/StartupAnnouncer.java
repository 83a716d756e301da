package dev.tributary.server.profile;

import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.security.AuthConfig;
import dev.tributary.controlplane.security.ListenerEndpoint;
import dev.tributary.server.cluster.NodeIdentity;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.startup.ServerPreparation;
import dev.tributary.server.storage.StoreProducer;
import dev.tributary.server.tls.DevelopmentTls;
import io.quarkus.vertx.http.HttpsServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Once the HTTPS listener is up, writes the connection profile with its real port (port 0 picks a
 * free one) and logs how to connect.
 */
@ApplicationScoped
public class StartupAnnouncer {
    private static final Logger LOG = Logger.getLogger(StartupAnnouncer.class);

    private final TributaryConfig config;
    private final NodeIdentity node;
    private final String serverVersion;
    private final ServiceAccountService accounts;
    private final AuthConfig auth;

    StartupAnnouncer(TributaryConfig config, NodeIdentity node,
            @ConfigProperty(name = "quarkus.application.version") String serverVersion,
            ServiceAccountService accounts, AuthConfig auth) {
        this.config = config;
        this.node = node;
        this.serverVersion = serverVersion;
        this.accounts = accounts;
        this.auth = auth;
    }

    void onHttpsStart(@ObservesAsync HttpsServerStart start) {
        int port = actualPort(start.options().getPort());
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        Path caFile = dataDir.resolve(ServerPreparation.TLS_DIR).resolve(DevelopmentTls.CA_CERT);
        Path profileFile = dataDir.resolve(ConnectionProfile.FILE_NAME);
        String endpoint = "https://" + endpointHost(config.listen().host()) + ":" + port;
        ServiceAccountService.Bootstrap admin;
        try {
            admin = bootstrapAdministrator(profileFile);
        } catch (RuntimeException e) {
            // Without an administrator nobody can use the server: say so loudly, keep serving health.
            LOG.errorf(e, "Could not set up the bootstrap platform administrator");
            admin = null;
        }
        ConnectionProfile.Credentials credentials = admin == null || admin.secret() == null ? null
                : new ConnectionProfile.Credentials(admin.account().clientId(), admin.secret(), endpoint + "/oauth2/token");
        try {
            new ConnectionProfile(endpoint, caFile, credentials).writeTo(profileFile);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not write the connection profile %s; clients must be configured by hand", profileFile);
        }
        LOG.info(banner(endpoint, caFile, profileFile, dataDir, admin));
    }

    /**
     * The bootstrap platform administrator: created on first start; later starts keep the secret
     * found in the existing profile (so the file survives restarts with a new port), or set a new
     * one when {@code tributary.auth.bootstrap.reset-secret} is true.
     */
    private ServiceAccountService.Bootstrap bootstrapAdministrator(Path profileFile) {
        String knownSecret = null;
        if (Files.exists(profileFile)) {
            try {
                ConnectionProfile previous = ConnectionProfile.read(profileFile);
                knownSecret = previous.credentials() == null ? null : previous.credentials().clientSecret();
            } catch (RuntimeException e) {
                LOG.warnf("Could not read the previous connection profile %s: %s", profileFile, e.getMessage());
            }
        }
        ServiceAccountService.Bootstrap admin = accounts.ensureBootstrapAdministrator(knownSecret, auth.bootstrap().resetSecret());
        switch (admin.outcome()) {
            case CREATED -> LOG.infof("Created the bootstrap platform administrator %s", admin.account().clientId());
            case RESET -> LOG.infof("Gave the bootstrap platform administrator %s a new client secret (tributary.auth.bootstrap.reset-secret)",
                    admin.account().clientId());
            case SECRET_UNKNOWN -> LOG.warnf("The client secret of the bootstrap platform administrator %s is not in %s"
                    + " (lost or from another node); start once with -Dtributary.auth.bootstrap.reset-secret=true to set and"
                    + " write a new one", admin.account().clientId(), profileFile);
            case KEPT -> { }
        }
        return admin;
    }

    /** With port 0 the options carry 0 or a negative number; the bound port is published by Quarkus. */
    private static int actualPort(int configured) {
        return configured > 0 ? configured : ListenerEndpoint.boundPort();
    }

    /** The development certificate names localhost; another bound address is what clients must use. */
    static String endpointHost(String listenHost) {
        return ListenerEndpoint.endpointHost(listenHost);
    }

    private String banner(String endpoint, Path caFile, Path profileFile, Path dataDir, ServiceAccountService.Bootstrap admin) {
        String cacert = "--cacert " + shellQuote(caFile.toString());
        String profile = shellQuote(profileFile.toString());
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
                + "   Platform administrator client id: " + (admin == null ? "none (see the error above)" : admin.account().clientId()
                + (admin.secret() != null ? " (client secret in the connection profile)"
                        : " (client secret unknown here: see the warning above)")) + nl
                + nl
                + " Try it (every path but health needs a token):" + nl
                + "   curl " + cacert + " " + endpoint + "/q/health/ready" + nl
                + "   SECRET=$(sed -n 's/^tributary.auth.client-secret=//p' " + profile + ")" + nl
                + "   TOKEN=$(curl -s " + cacert + " -u " + (admin == null ? "CLIENT_ID" : admin.account().clientId()) + ":$SECRET -d grant_type=client_credentials \\" + nl
                + "       " + endpoint + "/oauth2/token | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')" + nl
                + "   curl " + cacert + " -H \"Authorization: Bearer $TOKEN\" " + endpoint + "/v1/cluster" + nl
                + " gRPC: tributary.v1.ClusterService/GetClusterInfo on the same endpoint, token in 'authorization: Bearer' metadata." + nl
                + "==================================================================";
    }

    private static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}

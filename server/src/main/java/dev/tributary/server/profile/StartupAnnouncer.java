package dev.tributary.server.profile;

import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.security.AuthConfig;
import dev.tributary.controlplane.security.ListenerEndpoint;
import dev.tributary.schema.rest.SchemaRegistryResource;
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
import java.util.Optional;
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
        Path adminProfileFile = dataDir.resolve(ConnectionProfile.PLATFORM_ADMIN_FILE_NAME);
        String endpoint = "https://" + endpointHost(config.listen().host()) + ":" + port;
        String tokenUrl = endpoint + "/oauth2/token";
        ServiceAccountService.Bootstrap admin;
        try {
            admin = bootstrapAdministrator(adminProfileFile);
        } catch (RuntimeException e) {
            // Without an administrator nobody can use the server: say so loudly, keep serving health.
            LOG.errorf(e, "Could not set up the bootstrap platform administrator");
            admin = null;
        }
        ServiceAccountService.Bootstrap tenantAdmin = null;
        if (auth.bootstrap().createDefaultTenant()) {
            try {
                tenantAdmin = defaultTenantAdministrator(profileFile);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Could not set up the default tenant '%s'", auth.bootstrap().defaultTenant());
            }
        }
        write(new ConnectionProfile(endpoint, caFile, credentials(admin, tokenUrl), null), adminProfileFile);
        write(new ConnectionProfile(endpoint, caFile, credentials(tenantAdmin, tokenUrl),
                tenantAdmin == null ? null : tenantAdmin.account().tenant()), profileFile);
        LOG.info(banner(endpoint, caFile, profileFile, adminProfileFile, dataDir, admin, tenantAdmin));
    }

    private static ConnectionProfile.Credentials credentials(ServiceAccountService.Bootstrap account, String tokenUrl) {
        return account == null || account.secret() == null ? null
                : new ConnectionProfile.Credentials(account.account().clientId(), account.secret(), tokenUrl);
    }

    private static void write(ConnectionProfile profile, Path file) {
        try {
            profile.writeTo(file);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not write the connection profile %s; clients must be configured by hand", file);
        }
    }

    /**
     * The bootstrap platform administrator: created on first start; later starts keep the secret
     * found in the existing profile (so the file survives restarts with a new port), or set a new
     * one when {@code tributary.auth.bootstrap.reset-secret} is true.
     */
    private ServiceAccountService.Bootstrap bootstrapAdministrator(Path profileFile) {
        ServiceAccountService.Bootstrap admin = accounts.ensureBootstrapAdministrator(knownSecret(profileFile),
                auth.bootstrap().resetSecret());
        report("the bootstrap platform administrator", admin, profileFile);
        return admin;
    }

    /** The default tenant's administrator, made on the first start; null once deleted by an operator. */
    private ServiceAccountService.Bootstrap defaultTenantAdministrator(Path profileFile) {
        String tenant = auth.bootstrap().defaultTenant();
        Optional<ServiceAccountService.Bootstrap> account = accounts.ensureDefaultTenantAdministrator(tenant,
                knownSecret(profileFile), auth.bootstrap().resetSecret());
        if (account.isEmpty()) {
            LOG.infof("The default tenant's administrator was deleted; %s carries no credentials", profileFile);
            return null;
        }
        report("the administrator of tenant '" + account.get().account().tenant() + "'", account.get(), profileFile);
        return account.get();
    }

    /** The secret in an existing profile, so a restart keeps it. */
    private static String knownSecret(Path profileFile) {
        if (!Files.exists(profileFile)) {
            return null;
        }
        try {
            ConnectionProfile previous = ConnectionProfile.read(profileFile);
            return previous.credentials() == null ? null : previous.credentials().clientSecret();
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the previous connection profile %s: %s", profileFile, e.getMessage());
            return null;
        }
    }

    private static void report(String who, ServiceAccountService.Bootstrap account, Path profileFile) {
        switch (account.outcome()) {
            case CREATED -> LOG.infof("Created %s, %s", who, account.account().clientId());
            case RESET -> LOG.infof("Gave %s (%s) a new client secret (tributary.auth.bootstrap.reset-secret)", who,
                    account.account().clientId());
            case SECRET_UNKNOWN -> LOG.warnf("The client secret of %s (%s) is not in %s (lost or from another node); start once"
                    + " with -Dtributary.auth.bootstrap.reset-secret=true to set and write a new one", who, account.account().clientId(),
                    profileFile);
            case KEPT -> { }
        }
    }

    /** With port 0 the options carry 0 or a negative number; the bound port is published by Quarkus. */
    private static int actualPort(int configured) {
        return configured > 0 ? configured : ListenerEndpoint.boundPort();
    }

    /** The development certificate names localhost; another bound address is what clients must use. */
    static String endpointHost(String listenHost) {
        return ListenerEndpoint.endpointHost(listenHost);
    }

    private String banner(String endpoint, Path caFile, Path profileFile, Path adminProfileFile, Path dataDir,
            ServiceAccountService.Bootstrap admin, ServiceAccountService.Bootstrap tenantAdmin) {
        String cacert = "--cacert " + shellQuote(caFile.toString());
        String adminProfile = shellQuote(adminProfileFile.toString());
        String nl = System.lineSeparator();
        String cli = "bin/tributary";
        String profileOption = profileFile.equals(Path.of("data", ConnectionProfile.FILE_NAME).toAbsolutePath().normalize()) ? ""
                : " --profile " + shellQuote(profileFile.toString());
        StringBuilder text = new StringBuilder();
        text.append(nl)
                .append("==================================================================").append(nl)
                .append(" Tributary ").append(serverVersion).append(" is listening (node ").append(node.nodeId()).append(")").append(nl)
                .append("   Endpoint (REST + gRPC, TLS only): ").append(endpoint).append(nl)
                .append("   Schema registry (Confluent API):  ").append(endpoint).append(SchemaRegistryResource.BASE_PATH).append(nl)
                .append("   CA certificate:                   ").append(caFile).append(nl)
                .append("   Data directory:                   ").append(dataDir).append(nl)
                .append("   Storage backend:                  ").append(config.storage().backend().configName()).append(" ")
                .append(StoreProducer.describe(StoreProducer.storeConfig(config))).append(nl)
                .append("   Platform administrator:           ").append(describe(admin)).append(nl)
                .append("     profile:                        ").append(adminProfileFile).append(nl);
        if (tenantAdmin != null) {
            String label = "Tenant '" + tenantAdmin.account().tenant() + "' administrator:";
            text.append("   ").append(String.format("%-34s", label)).append(describe(tenantAdmin)).append(nl)
                    .append("     profile (SDK and CLI default):  ").append(profileFile).append(nl)
                    .append(nl)
                    .append(" Try it:").append(nl)
                    .append("   ").append(cli).append(" topic create orders --partitions 3").append(profileOption).append(nl)
                    .append("   printf 'hello\\nworld\\n' | ").append(cli).append(" produce orders").append(profileOption).append(nl)
                    .append("   ").append(cli).append(" consume orders --from-beginning --max 2").append(profileOption).append(nl);
        }
        text.append(" Or with curl (every path but health needs a token):").append(nl)
                .append("   curl ").append(cacert).append(" ").append(endpoint).append("/q/health/ready").append(nl)
                .append("   SECRET=$(sed -n 's/^tributary.auth.client-secret=//p' ").append(adminProfile).append(")").append(nl)
                .append("   TOKEN=$(curl -s ").append(cacert).append(" -u ").append(admin == null ? "CLIENT_ID" : admin.account().clientId())
                .append(":$SECRET -d grant_type=client_credentials \\").append(nl)
                .append("       ").append(endpoint).append("/oauth2/token | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')").append(nl)
                .append("   curl ").append(cacert).append(" -H \"Authorization: Bearer $TOKEN\" ").append(endpoint).append("/v1/cluster").append(nl)
                .append("==================================================================");
        return text.toString();
    }

    private static String describe(ServiceAccountService.Bootstrap account) {
        if (account == null) {
            return "none (see the error above)";
        }
        return account.account().clientId() + (account.secret() != null ? " (client secret in the profile)"
                : " (client secret unknown here: see the warning above)");
    }

    private static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}

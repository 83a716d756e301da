package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identity.TokenIssuer;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Points quarkus-oidc at Tributary's own issuer, the way it would point at any external identity
 * provider: signatures against the JWKS fetched over HTTPS from {@code /oauth2/jwks} (trusting the
 * development CA through the TLS configuration {@value #TLS_CONFIGURATION}), plus {@code iss},
 * {@code aud} and {@code exp}.
 *
 * <p>Why a resolver and not static {@code quarkus.oidc.*} configuration: the JWKS is served by this
 * very server, whose port may only be known once it listens (port 0), and a static tenant would
 * fetch it during startup, before the listener exists. A dynamic tenant is created on the first
 * request that carries a token, when the listener is certainly up; quarkus-oidc then caches it
 * under {@value #TENANT_ID}.
 *
 * <p>Identity pools (a tenant's external issuers) will be further tenants chosen here by the
 * token's unverified {@code iss}: the choice only selects which keys verify the signature, so a
 * forged {@code iss} gains nothing. What such a token may do is decided by {@link
 * TributaryIdentityAugmentor}, which binds a pool's principals to the pool's tenant.
 */
@ApplicationScoped
public class BuiltInIssuerTenantConfigResolver implements TenantConfigResolver {
    /** quarkus-oidc tenant id of the built-in issuer. */
    public static final String TENANT_ID = "tributary-built-in-issuer";
    /** Quarkus TLS configuration that trusts the development CA; set by the server at startup. */
    public static final String TLS_CONFIGURATION = "tributary-internal-client";
    /**
     * Minimum time between JWKS refetches forced by a token whose {@code kid} is unknown (a key
     * rotated in on another pod): short, so that a new key is accepted at once, but bounded, so that
     * tokens with made-up key ids cannot turn into a stream of JWKS requests.
     */
    static final Duration FORCED_JWKS_REFRESH_INTERVAL = Duration.ofSeconds(5);

    private final ListenerEndpoint listener;
    private final TokenIssuer issuer;
    private volatile OidcTenantConfig builtIn;

    BuiltInIssuerTenantConfigResolver(ListenerEndpoint listener, TokenIssuer issuer) {
        this.listener = listener;
        this.issuer = issuer;
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
        OidcTenantConfig config = builtIn;
        if (config == null) {
            config = builtInIssuerConfig();
            builtIn = config;
        }
        return Uni.createFrom().item(config);
    }

    private OidcTenantConfig builtInIssuerConfig() {
        // Fetched from this server's own listener, whatever name clients use for the issuer.
        String local = listener.url();
        return OidcTenantConfig.builder()
                .tenantId(TENANT_ID)
                .applicationType(ApplicationType.SERVICE)
                .authServerUrl(local)
                .discoveryEnabled(false)
                .jwksPath(local + "/oauth2/jwks")
                .tlsConfigurationName(TLS_CONFIGURATION)
                .token()
                    .issuer(issuer.issuer())
                    .audience(TributaryClaims.AUDIENCE)
                    .subjectRequired()
                    .forcedJwkRefreshInterval(FORCED_JWKS_REFRESH_INTERVAL)
                    .end()
                .roles()
                    .roleClaimPath(TributaryClaims.ROLES)
                    .end()
                .build();
    }
}

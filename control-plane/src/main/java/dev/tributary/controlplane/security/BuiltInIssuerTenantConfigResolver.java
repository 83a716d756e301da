package dev.tributary.controlplane.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identitypool.IdentityPool;
import dev.tributary.controlplane.identitypool.IdentityPoolRegistry;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.OidcTenantConfigBuilder;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the quarkus-oidc tenant that verifies a request's bearer token, by the token's
 * unverified {@code iss}: Tributary's own issuer, or the identity pool registered for that issuer
 * ({@link IdentityPoolRegistry}). The choice only selects which keys, issuer and audience the token
 * is checked against, so a forged {@code iss} gains nothing; a token of an issuer no pool has goes
 * to the built-in issuer's tenant and fails its issuer check (401 INVALID_TOKEN). What a verified
 * token may do is decided by {@link TributaryIdentityAugmentor}, which binds a pool's principals to
 * the pool's tenant.
 *
 * <p><b>The built-in issuer</b> is checked the way any external identity provider would be:
 * signatures against the JWKS fetched over HTTPS from {@code /oauth2/jwks} (trusting the
 * development CA through the TLS configuration {@value #TLS_CONFIGURATION}), plus {@code iss},
 * {@code aud} and {@code exp}. Why a resolver and not static {@code quarkus.oidc.*} configuration:
 * the JWKS is served by this very server, whose port may only be known once it listens (port 0),
 * and a static tenant would fetch it during startup, before the listener exists. A dynamic tenant
 * is created on the first request that carries a token, when the listener is certainly up;
 * quarkus-oidc then caches it under {@value #TENANT_ID}.
 *
 * <p><b>An identity pool</b> is a tenant of its own ({@link IdentityPool#oidcTenantId()}): its keys
 * come from its {@code jwksUri}, or from the issuer's discovery document; its TLS trusts its {@code
 * issuerCaPem} (an {@link IssuerTlsConfiguration} registered here) or else the JDK's CAs; the token
 * must carry its {@code iss} and {@code aud}; no introspection or user-info calls are made. One
 * configuration object is kept per pool version: quarkus-oidc reuses its tenant while it gets the
 * same object back, and is told to replace it when the pool has changed, so a new issuer, key
 * location or CA is used from the next request on.
 */
@ApplicationScoped
public class BuiltInIssuerTenantConfigResolver implements TenantConfigResolver {
    /** quarkus-oidc tenant id of the built-in issuer. */
    public static final String TENANT_ID = "tributary-built-in-issuer";
    /** Quarkus TLS configuration that trusts the development CA; set by the server at startup. */
    public static final String TLS_CONFIGURATION = "tributary-internal-client";
    /**
     * Minimum time between JWKS refetches forced by a token whose {@code kid} is unknown (a key
     * rotated in on another pod, or at an identity pool's issuer): short, so that a new key is
     * accepted at once, but bounded, so that tokens with made-up key ids cannot turn into a stream
     * of JWKS requests.
     */
    static final Duration FORCED_JWKS_REFRESH_INTERVAL = Duration.ofSeconds(5);
    /** How long quarkus-oidc waits to connect to an identity pool's issuer. */
    static final Duration ISSUER_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /**
     * quarkus-oidc's request attribute asking it to rebuild (rather than update in place) a dynamic
     * tenant whose configuration object changed: an updated tenant would keep the old provider,
     * with the old issuer's keys and TLS.
     */
    static final String REPLACE_TENANT_CONTEXT = "replace-tenant-configuration-context";
    /** Longest bearer token whose issuer is looked at; longer ones go to the built-in tenant and fail there. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    private final ListenerEndpoint listener;
    private final TokenIssuer issuer;
    private final IdentityPoolRegistry pools;
    private final TlsConfigurationRegistry tlsRegistry;
    private final Map<String, PoolConfig> poolConfigs = new ConcurrentHashMap<>();
    private volatile OidcTenantConfig builtIn;

    /** The configuration made for one version of a pool. */
    private record PoolConfig(String version, OidcTenantConfig config) {}

    BuiltInIssuerTenantConfigResolver(ListenerEndpoint listener, TokenIssuer issuer, IdentityPoolRegistry pools,
            TlsConfigurationRegistry tlsRegistry) {
        this.listener = listener;
        this.issuer = issuer;
        this.pools = pools;
        this.tlsRegistry = tlsRegistry;
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
        String tokenIssuer = unverifiedIssuer(context.request().getHeader("Authorization"));
        if (tokenIssuer == null || tokenIssuer.equals(issuer.issuer())) {
            return Uni.createFrom().item(builtIn());
        }
        Optional<Optional<IdentityPool>> known = pools.cached(tokenIssuer);
        if (known.isPresent()) {
            return Uni.createFrom().item(configFor(known.get(), context));
        }
        // A store read: off the event loop.
        return requestContext.runBlocking(() -> configFor(pools.lookup(tokenIssuer), context));
    }

    private OidcTenantConfig configFor(Optional<IdentityPool> pool, RoutingContext context) {
        if (pool.isEmpty()) {
            // No pool has this issuer: the built-in issuer's tenant refuses the token (wrong iss).
            return builtIn();
        }
        IdentityPool current = pool.get();
        PoolConfig config = poolConfigs.compute(current.oidcTenantId(), (id, known) ->
                known != null && known.version().equals(current.version()) ? known
                        : new PoolConfig(current.version(), poolConfig(current)));
        // quarkus-oidc keeps its tenant while it gets the same object back; if it holds one made
        // from an earlier version (or an earlier pool of that name), it must rebuild it, not patch it.
        context.put(REPLACE_TENANT_CONTEXT, "true");
        return config.config();
    }

    private OidcTenantConfig poolConfig(IdentityPool pool) {
        OidcTenantConfigBuilder builder = OidcTenantConfig.builder()
                .tenantId(pool.oidcTenantId())
                .applicationType(ApplicationType.SERVICE)
                .authServerUrl(pool.issuer())
                .connectionTimeout(ISSUER_CONNECTION_TIMEOUT);
        if (pool.jwksUri() != null) {
            builder.discoveryEnabled(false).jwksPath(pool.jwksUri());
        } else {
            builder.discoveryEnabled(true);
        }
        if (pool.issuerCaPem() != null) {
            IssuerTlsConfiguration tls = new IssuerTlsConfiguration(pool.issuerCaPem());
            tlsRegistry.register(tls.getName(), tls);
            builder.tlsConfigurationName(tls.getName());
        }
        return builder.token()
                    .issuer(pool.issuer())
                    .audience(pool.audience())
                    .forcedJwkRefreshInterval(FORCED_JWKS_REFRESH_INTERVAL)
                    .allowJwtIntrospection(false)
                    .allowOpaqueTokenIntrospection(false)
                    .end()
                .build();
    }

    private OidcTenantConfig builtIn() {
        OidcTenantConfig config = builtIn;
        if (config == null) {
            config = builtInIssuerConfig();
            builtIn = config;
        }
        return config;
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

    /**
     * The {@code iss} of a bearer token, read without any verification (only to choose who verifies
     * it); null when there is no bearer token or it is not a JWT with a string {@code iss}.
     */
    static String unverifiedIssuer(String authorization) {
        if (authorization == null || authorization.length() <= 7 || authorization.length() > MAX_TOKEN_LENGTH
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second < 0) {
            return null;
        }
        byte[] payload;
        try {
            payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
        } catch (IllegalArgumentException e) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.getCurrentName();
                JsonToken value = parser.nextToken();
                if ("iss".equals(name)) {
                    return value == JsonToken.VALUE_STRING ? parser.getText() : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}

package dev.tributary.controlplane.identitypool;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.JsonHelp;
import org.jose4j.lang.UnresolvableKeyException;
import org.jose4j.json.JsonUtil;

/**
 * The signing keys of one identity pool's issuer, for verifiers outside quarkus-oidc (a data-plane
 * listener of its own): its JWKS, fetched over HTTPS trusting the pool's {@code issuerCaPem} (or
 * the JDK's CAs without one), from the pool's {@code jwksUri} or else the {@code jwks_uri} of the
 * issuer's discovery document, whose {@code issuer} must be the pool's.
 *
 * <p>Fetched on first use and kept; fetched again when a token names a key the set does not have
 * (the issuer rotated its keys), but at most once per {@link #MIN_REFETCH_INTERVAL}, so tokens with
 * made-up key ids cannot turn into a stream of requests to the issuer; and, when used, after
 * {@link #MAX_AGE}, so a key the issuer withdrew stops verifying. A failed fetch keeps the keys
 * known so far. Thread-safe: one fetch at a time.
 */
public final class IssuerKeys implements VerificationKeyResolver {
    private static final Logger LOG = Logger.getLogger(IssuerKeys.class);
    /** Least time between two fetches (the same bound quarkus-oidc's tenants use for a forced refresh). */
    public static final Duration MIN_REFETCH_INTERVAL = Duration.ofSeconds(5);
    /** Keys older than this are fetched again when next used. */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);
    /** Largest discovery document or JWKS read. */
    static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final IdentityPool pool;
    private final HttpClient http;
    private final LongSupplier nanoTime;
    private List<JsonWebKey> keys;
    private long fetchedAtNanos;
    private long lastAttemptNanos;
    private boolean attempted;
    private String jwksUri;
    private int fetches;

    public IssuerKeys(IdentityPool pool) {
        this(pool, System::nanoTime);
    }

    IssuerKeys(IdentityPool pool, LongSupplier nanoTime) {
        this.pool = pool;
        this.nanoTime = nanoTime;
        this.jwksUri = pool.jwksUri();
        this.http = HttpClient.newBuilder()
                .sslContext(IssuerTrust.sslContext(pool.issuerCaPem()))
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public synchronized Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException {
        long now = nanoTime.getAsLong();
        if (keys == null || now - fetchedAtNanos >= MAX_AGE.toNanos()) {
            refreshIfAllowed(now);
        }
        JsonWebKey key = select(jws);
        if (key == null && refreshIfAllowed(now)) {
            key = select(jws);
        }
        if (key == null) {
            if (keys == null) {
                throw new UnavailableException("the keys of issuer " + pool.issuer() + " could not be fetched");
            }
            throw new UnresolvableKeyException("issuer " + pool.issuer() + " publishes no key " + jws.getKeyIdHeaderValue()
                    + " for " + jws.getAlgorithmHeaderValue());
        }
        return key.getKey();
    }

    /** The issuer's keys were never fetched (unreachable, TLS not trusted, bad answer): no token of it can be verified yet. */
    public static final class UnavailableException extends UnresolvableKeyException {
        UnavailableException(String message) {
            super(message);
        }
    }

    /** How many times the keys were fetched (tests: the refetch bound). */
    public synchronized int fetches() {
        return fetches;
    }

    private JsonWebKey select(JsonWebSignature jws) throws UnresolvableKeyException {
        if (keys == null) {
            return null;
        }
        try {
            return new VerificationJwkSelector().select(jws, keys);
        } catch (JoseException e) {
            throw new UnresolvableKeyException("cannot select a key: " + e.getMessage(), e);
        }
    }

    /** Fetches the keys unless the last attempt was less than {@link #MIN_REFETCH_INTERVAL} ago; whether it did. */
    private boolean refreshIfAllowed(long now) {
        if (attempted && now - lastAttemptNanos < MIN_REFETCH_INTERVAL.toNanos()) {
            return false;
        }
        attempted = true;
        lastAttemptNanos = now;
        fetches++;
        try {
            if (jwksUri == null) {
                jwksUri = discoverJwksUri();
            }
            keys = new JsonWebKeySet(get(jwksUri)).getJsonWebKeys();
            fetchedAtNanos = now;
            return true;
        } catch (IOException | JoseException | RuntimeException e) {
            LOG.warnf("Cannot fetch the keys of identity pool '%s' of tenant '%s' (issuer %s): %s", pool.name(), pool.tenant(),
                    pool.issuer(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String discoverJwksUri() throws IOException, InterruptedException, JoseException {
        String base = pool.issuer().endsWith("/") ? pool.issuer().substring(0, pool.issuer().length() - 1) : pool.issuer();
        Map<String, Object> discovery = JsonUtil.parseJson(get(base + "/.well-known/openid-configuration"));
        if (!pool.issuer().equals(JsonHelp.getString(discovery, "issuer"))) {
            throw new IOException("the discovery document names issuer " + JsonHelp.getString(discovery, "issuer")
                    + ", not " + pool.issuer());
        }
        String uri = JsonHelp.getString(discovery, "jwks_uri");
        if (uri == null || !uri.startsWith("https://")) {
            throw new IOException("the discovery document has no https jwks_uri");
        }
        return uri;
    }

    private String get(String uri) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + response.statusCode());
            }
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw new IOException("GET " + uri + " answered more than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

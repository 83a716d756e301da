package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identitypool.IssuerTrust;
import io.quarkus.tls.BaseTlsConfiguration;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A Quarkus TLS configuration that trusts exactly an identity pool's {@code issuerCaPem}, registered
 * at run time so that quarkus-oidc reaches that issuer (discovery, JWKS) trusting those
 * certificates and nothing else. Its name is derived from the certificates, so pools with the same
 * CA share one and a changed CA gets a new one. Host names are verified.
 */
final class IssuerTlsConfiguration extends BaseTlsConfiguration {
    private static final String NAME_PREFIX = "tributary-issuer-ca-";

    private final String name;
    private final String pem;
    private final KeyStore trustStore;

    IssuerTlsConfiguration(String pem) {
        this.name = nameFor(pem);
        this.pem = pem;
        this.trustStore = IssuerTrust.trustStore(IssuerTrust.parse(pem));
    }

    /** The registry name of the configuration trusting {@code pem}. */
    static String nameFor(String pem) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(pem.getBytes(StandardCharsets.UTF_8));
            return NAME_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public KeyStore getTrustStore() {
        return trustStore;
    }

    @Override
    public TrustOptions getTrustStoreOptions() {
        return new PemTrustOptions().addCertValue(Buffer.buffer(pem));
    }

    @Override
    public SSLContext createSSLContext() {
        return IssuerTrust.sslContext(pem);
    }

    @Override
    public Optional<String> getHostnameVerificationAlgorithm() {
        return Optional.of("HTTPS");
    }
}

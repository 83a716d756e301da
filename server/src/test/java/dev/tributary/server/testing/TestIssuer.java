package dev.tributary.server.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

/**
 * A real OpenID Connect issuer for tests, on 127.0.0.1 over HTTPS with a certificate of its own
 * test CA: a discovery document at {@code ISSUER/.well-known/openid-configuration} and a JWKS at
 * {@code ISSUER/keys}, and tokens signed RS256 with its current key (what an identity provider
 * such as Keycloak does). Keys can be rotated; the JWKS requests are counted.
 */
public final class TestIssuer implements AutoCloseable {
    private final TestCertificates authority;
    private final SSLContext tls;
    private final String path;
    private final int port;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final String issuer;
    private HttpsServer server;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private volatile RsaJsonWebKey key;
    private volatile List<RsaJsonWebKey> published;

    private TestIssuer(TestCertificates authority, SSLContext tls, String path, int port) throws Exception {
        this.authority = authority;
        this.tls = tls;
        this.path = path;
        this.port = port;
        this.issuer = "https://localhost:" + port + "/" + path;
        this.key = newKey();
        this.published = List.of(key);
    }

    /** Starts an issuer at {@code https://localhost:PORT/PATH} (a free port). */
    public static TestIssuer start(String path) throws Exception {
        TestCertificates authority = TestCertificates.newAuthority("issuer " + path);
        SSLContext tls = authority.issueServer().serverContext();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        TestIssuer issuer = new TestIssuer(authority, tls, path, port);
        issuer.resume();
        return issuer;
    }

    /** Stops answering (connections are refused), as an identity provider that is down. */
    public synchronized void pause() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Answers again, on the same port. */
    public synchronized void resume() throws IOException {
        if (server != null) {
            return;
        }
        HttpsServer next = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        next.setHttpsConfigurator(new HttpsConfigurator(tls));
        next.createContext("/" + path + "/.well-known/openid-configuration", this::discovery);
        next.createContext("/" + path + "/keys", this::jwks);
        next.setExecutor(executor);
        next.start();
        server = next;
    }

    /** The {@code iss} of its tokens. */
    public String issuer() {
        return issuer;
    }

    public String jwksUri() {
        return issuer + "/keys";
    }

    /** PEM of the CA that signed its TLS certificate. */
    public String caPem() throws Exception {
        return authority.caPem();
    }

    public int jwksRequests() {
        return jwksRequests.get();
    }

    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /** Signs with a new key from now on and publishes only that one (the old key's tokens stop verifying once refetched). */
    public void rotateKey() throws Exception {
        RsaJsonWebKey next = newKey();
        published = List.of(next);
        key = next;
    }

    /** A token for {@code audience} with the standard claims (iss, aud, sub, iat, exp in 10 minutes, jti) plus {@code claims}. */
    public String token(String audience, Map<String, Object> claims) throws Exception {
        return token(audience, claims, Instant.now().plus(Duration.ofMinutes(10)));
    }

    public String token(String audience, Map<String, Object> claims, Instant expiresAt) throws Exception {
        JwtClaims jwt = new JwtClaims();
        jwt.setIssuer(issuer);
        jwt.setAudience(audience);
        jwt.setIssuedAt(NumericDate.fromSeconds(Math.min(Instant.now().getEpochSecond(), expiresAt.getEpochSecond() - 60)));
        jwt.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
        jwt.setJwtId(UUID.randomUUID().toString());
        jwt.setSubject(UUID.randomUUID().toString()); // an identity provider's opaque user id, as Keycloak's
        claims.forEach(jwt::setClaim);
        return sign(jwt, key);
    }

    /** A token like {@link #token} but signed by a key the issuer never published, under the current key's id. */
    public String tokenSignedByUnpublishedKey(String audience, Map<String, Object> claims) throws Exception {
        RsaJsonWebKey stranger = newKey();
        stranger.setKeyId(key.getKeyId());
        JwtClaims jwt = JwtClaims.parse(claims(token(audience, claims)));
        return sign(jwt, stranger);
    }

    private static String claims(String token) {
        return new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    private static String sign(JwtClaims claims, RsaJsonWebKey key) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    private static RsaJsonWebKey newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        RsaJsonWebKey jwk = new RsaJsonWebKey((java.security.interfaces.RSAPublicKey) pair.getPublic());
        jwk.setPrivateKey(pair.getPrivate());
        jwk.setKeyId("rsa-" + UUID.randomUUID().toString().substring(0, 8));
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        jwk.setUse("sig");
        return jwk;
    }

    private void discovery(HttpExchange exchange) throws IOException {
        discoveryRequests.incrementAndGet();
        String body = TestClient.JSON.createObjectNode().put("issuer", issuer).put("jwks_uri", jwksUri())
                .put("token_endpoint", issuer + "/token").put("authorization_endpoint", issuer + "/auth")
                .set("id_token_signing_alg_values_supported", TestClient.JSON.createArrayNode().add("RS256")).toString();
        respond(exchange, body);
    }

    private void jwks(HttpExchange exchange) throws IOException {
        jwksRequests.incrementAndGet();
        respond(exchange, new JsonWebKeySet(published).toJson(org.jose4j.jwk.JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }

    private static void respond(HttpExchange exchange, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        pause();
        executor.shutdownNow();
    }
}

package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.api.v1.ClusterServiceGrpc;
import dev.tributary.api.v1.GetClusterInfoRequest;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens from the real token endpoint, verified by quarkus-oidc against the real JWKS, on every
 * protected REST path and over gRPC; and every kind of bad token, rejected with a precise code.
 * Bad tokens are made legitimately: the real issuer signs with its stored key, only the claims are
 * wrong (past expiry, other audience, other issuer), or a foreign key signs.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class AuthenticationTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;

    @Inject
    TributaryConfig config;

    @Inject
    TokenIssuer issuer;

    private TestClient client;
    private ConnectionProfile profile;
    private String adminToken;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        Path caFile = config.dataDir().resolve("tls/ca.pem");
        client = new TestClient(root.toURI(), caFile);
        profile = TestClient.awaitProfileWithCredentials(config.dataDir());
        adminToken = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        channel = Grpc.newChannelBuilderForAddress("localhost", root.getPort(),
                TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build()).build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Every bad token there is (see {@link BadTokens}). */
    private Map<String, String> badTokens() throws Exception {
        return BadTokens.of(issuer, profile.credentials().clientId());
    }

    private static final List<String> PROTECTED_GETS = List.of("/v1/cluster", "/v1/tenants", "/v1/tenants/acme",
            "/v1/tenants/acme/service-accounts", "/v1/signing-keys", "/q/metrics", "/q/health", "/v1/no-such-path");

    @Test
    void protectedPathsAcceptTheRealToken() throws Exception {
        for (String path : List.of("/v1/cluster", "/v1/tenants", "/v1/signing-keys", "/q/metrics")) {
            HttpResponse<String> response = client.get(path, adminToken);
            assertEquals(200, response.statusCode(), path + ": " + response.body());
        }
        assertEquals(404, client.get("/v1/no-such-path", adminToken).statusCode());
    }

    @Test
    void everyProtectedPathRejectsAMissingToken() throws Exception {
        for (String path : PROTECTED_GETS) {
            HttpResponse<String> response = client.get(path, null);
            assertProblem(response, "UNAUTHENTICATED", path);
            assertEquals("Bearer realm=\"tributary\"", response.headers().firstValue("www-authenticate").orElse(""));
        }
        assertProblem(client.postJson("/v1/tenants", null, "{\"id\":\"sneaky\"}"), "UNAUTHENTICATED", "POST /v1/tenants");
        assertProblem(client.post("/v1/signing-keys/rotate", null), "UNAUTHENTICATED", "POST /v1/signing-keys/rotate");
        assertProblem(client.send(client.request("/v1/cluster", null).header("Authorization", "Basic dXNlcjpwYXNz").GET()),
                "UNAUTHENTICATED", "Basic instead of Bearer");
    }

    @Test
    void everyProtectedPathRejectsEveryBadToken() throws Exception {
        for (Map.Entry<String, String> bad : badTokens().entrySet()) {
            String expectedCode = bad.getKey().equals("expired") ? "TOKEN_EXPIRED" : "INVALID_TOKEN";
            for (String path : PROTECTED_GETS) {
                HttpResponse<String> response = client.get(path, bad.getValue());
                assertProblem(response, expectedCode, bad.getKey() + " on " + path);
                assertTrue(response.headers().firstValue("www-authenticate").orElse("").contains("error=\"invalid_token\""));
            }
            assertProblem(client.postJson("/v1/tenants", bad.getValue(), "{\"id\":\"sneaky\"}"), expectedCode, bad.getKey());
        }
        // Nothing was created by any of them.
        assertEquals(404, client.get("/v1/tenants/sneaky", adminToken).statusCode());
    }

    @Test
    void openPathsNeedNoToken() throws Exception {
        for (String path : List.of("/q/health/live", "/q/health/ready", "/.well-known/openid-configuration", "/oauth2/jwks")) {
            assertEquals(200, client.get(path, null).statusCode(), path);
        }
        // Path tricks do not reach protected resources through an open prefix.
        assertEquals(401, client.get("/q/health/live/../../../v1/cluster", null).statusCode());
    }

    @Test
    void grpcNeedsAValidToken() throws Exception {
        ClusterServiceGrpc.ClusterServiceBlockingStub stub = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertEquals("embedded", stub.withCallCredentials(TestClient.bearer(adminToken))
                .getClusterInfo(GetClusterInfoRequest.getDefaultInstance()).getStorageBackend());

        assertGrpcRejected(null, "UNAUTHENTICATED");
        for (Map.Entry<String, String> bad : badTokens().entrySet()) {
            assertGrpcRejected(bad.getValue(), bad.getKey().equals("expired") ? "TOKEN_EXPIRED" : "INVALID_TOKEN");
        }
    }

    private void assertGrpcRejected(String token, String code) {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        ClusterServiceGrpc.ClusterServiceBlockingStub stub = ClusterServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(channel, MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        if (token != null) {
            stub = stub.withCallCredentials(TestClient.bearer(token));
        }
        ClusterServiceGrpc.ClusterServiceBlockingStub call = stub;
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call.getClusterInfo(GetClusterInfoRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), code + ": " + e.getStatus());
        assertTrue(e.getStatus().getDescription().startsWith(code + ":"), e.getStatus().getDescription());
        assertEquals(code, e.getTrailers().get(Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void discoveryAndJwksDescribeTheIssuer() throws Exception {
        JsonNode metadata = TestClient.json(client.get("/.well-known/openid-configuration", null));
        String base = "https://localhost:" + root.getPort();
        assertEquals(base, metadata.get("issuer").asText());
        assertEquals(base + "/oauth2/token", metadata.get("token_endpoint").asText());
        assertEquals(base + "/oauth2/jwks", metadata.get("jwks_uri").asText());
        assertEquals("client_credentials", metadata.get("grant_types_supported").get(0).asText());

        JsonNode claims = TestClient.claims(adminToken);
        assertEquals(base, claims.get("iss").asText());
        assertEquals("tributary", claims.get("aud").asText());
        assertEquals(profile.credentials().clientId(), claims.get("sub").asText());
        assertEquals(15 * 60, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertTrue(claims.hasNonNull("jti"));

        HttpResponse<String> jwks = client.get("/oauth2/jwks", null);
        JsonNode key = TestClient.json(jwks).get("keys").get(0);
        assertEquals("EC", key.get("kty").asText());
        assertEquals("ES256", key.get("alg").asText());
        assertTrue(!key.has("d"), "the private key must never be published: " + jwks.body());
    }

    @Test
    void rotationKeepsOldTokensValidUntilTheyExpire() throws Exception {
        String before = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        assertEquals(200, client.get("/v1/cluster", before).statusCode());
        String oldKid = TestClient.header(before).get("kid").asText();

        HttpResponse<String> rotated = client.post("/v1/signing-keys/rotate", adminToken);
        assertEquals(200, rotated.statusCode(), rotated.body());
        String newKid = TestClient.json(rotated).get("kid").asText();
        assertNotEquals(oldKid, newKid);

        String after = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        assertEquals(newKid, TestClient.header(after).get("kid").asText());
        // A verifier refetches the JWKS on an unknown kid at most every few seconds (an earlier test
        // may just have made it): allow for that.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status;
        do {
            status = client.get("/v1/cluster", after).statusCode();
        } while (status != 200 && System.nanoTime() < deadline && sleep());
        assertEquals(200, status);
        assertEquals(200, client.get("/v1/cluster", before).statusCode(), "tokens of the retired key stay valid");

        JsonNode keys = TestClient.json(client.get("/oauth2/jwks", null)).get("keys");
        Set<String> kids = new java.util.HashSet<>();
        keys.forEach(k -> kids.add(k.get("kid").asText()));
        assertTrue(kids.containsAll(Set.of(oldKid, newKid)), kids.toString());
    }

    private static boolean sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    static void assertProblem(HttpResponse<String> response, String code, String what) throws Exception {
        assertEquals(401, response.statusCode(), what + ": " + response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""), what);
        assertEquals(code, TestClient.json(response).get("code").asText(), what + ": " + response.body());
    }

}

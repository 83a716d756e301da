package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.api.v1.ClusterServiceGrpc;
import dev.tributary.api.v1.GetClusterInfoRequest;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identity.TokenSubject;
import dev.tributary.controlplane.security.AuthConfig;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.security.VerifiedTokenCache;
import dev.tributary.controlplane.storage.ControlPlaneKeys;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache ({@link VerifiedTokenCache}) with real tokens over TLS, REST and gRPC:
 * a token verified once is served from the cache with the same identity; nothing weakens: an
 * expired token is refused although cached, a deleted account's or tenant's token is refused at
 * once, a delete the cache was not told about (another node's) within the recheck interval, and a
 * token differing from a cached one in one character is verified in full and refused.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class TokenCacheTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;

    @Inject
    TributaryConfig config;

    @Inject
    AuthConfig authConfig;

    @Inject
    TokenIssuer issuer;

    @Inject
    VerifiedTokenCache cache;

    @Inject
    KeyValueStore store;

    private TestClient client;
    private ConnectionProfile profile;
    private String admin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        Path caFile = config.dataDir().resolve("tls/ca.pem");
        client = new TestClient(root.toURI(), caFile);
        profile = TestClient.awaitProfileWithCredentials(config.dataDir());
        admin = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        channel = TestClient.grpcChannel(root.getPort(), caFile);
        assertTrue(cache.enabled(), "the cache is on by default");
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aTokenVerifiedOnceIsServedFromTheCacheOverRestAndGrpc() throws Exception {
        String token = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        long misses = cache.misses();
        long hits = cache.hits();

        assertEquals(200, client.get("/v1/cluster", token).statusCode());
        assertEquals(misses + 1, cache.misses(), "a new token is verified in full");
        for (int i = 0; i < 5; i++) {
            assertEquals(200, client.get("/v1/tenants", token).statusCode());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals("embedded", grpc(token).getClusterInfo(GetClusterInfoRequest.getDefaultInstance()).getStorageBackend());
        }
        assertEquals(misses + 1, cache.misses(), "verified only once");
        assertEquals(hits + 8, cache.hits(), "every later call, REST or gRPC, is answered from the cache");

        // The cached identity is the one full verification made.
        VerifiedTokenCache.Entry entry = cache.get(token);
        assertNotNull(entry);
        assertEquals(new Caller(profile.credentials().clientId(), null, Set.of("platform-admin")), entry.caller());
        assertEquals(entry.caller(), entry.identity().getAttribute(Caller.ATTRIBUTE));
        assertEquals(profile.credentials().clientId(), entry.identity().getPrincipal().getName());
    }

    @Test
    void anExpiredTokenIsRefusedEvenIfCached() throws Exception {
        TokenSubject subject = new TokenSubject(profile.credentials().clientId(), null, Set.of("platform-admin"));
        String token = issuer.issue(subject, Instant.now(), Duration.ofSeconds(3)).accessToken();
        long expiresAtMillis = TestClient.claims(token).get("exp").asLong() * 1000;
        long hits = cache.hits();
        assertEquals(200, client.get("/v1/cluster", token).statusCode());
        assertEquals(200, client.get("/v1/cluster", token).statusCode());
        assertTrue(cache.hits() > hits, "cached");

        long wait = expiresAtMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        AuthenticationTest.assertProblem(client.get("/v1/cluster", token), "TOKEN_EXPIRED", "expired, cached before");
        assertGrpcRejected(token, "TOKEN_EXPIRED");
        assertEquals(null, cache.get(token), "never served after exp");
    }

    @Test
    void aDeletedAccountsTokenIsRefusedAtOnce() throws Exception {
        String tenant = newTenant();
        JsonNode account = newAccount(tenant, "app", "tenant-admin");
        String token = tokenOf(account);
        long hits = cache.hits();
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", token).statusCode());
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", token).statusCode());
        assertEquals(hits + 1, cache.hits(), "cached");

        assertEquals(204, client.delete("/v1/tenants/" + tenant + "/service-accounts/" + account.get("id").asText(), admin).statusCode());
        HttpResponse<String> afterDelete = client.get("/v1/cluster", token);
        AuthenticationTest.assertProblem(afterDelete, "INVALID_TOKEN", "deleted account");
        assertTrue(TestClient.json(afterDelete).get("detail").asText().contains("no longer exists"), afterDelete.body());
        assertGrpcRejected(token, "INVALID_TOKEN");
    }

    @Test
    void aDeletedTenantsTokensAreRefusedAtOnce() throws Exception {
        String tenant = newTenant();
        String token = tokenOf(newAccount(tenant, "app", "member"));
        long hits = cache.hits();
        assertEquals("embedded", grpc(token).getClusterInfo(GetClusterInfoRequest.getDefaultInstance()).getStorageBackend());
        assertEquals(200, client.get("/v1/cluster", token).statusCode());
        assertEquals(hits + 1, cache.hits(), "cached");

        assertEquals(204, client.delete("/v1/tenants/" + tenant, admin).statusCode());
        AuthenticationTest.assertProblem(client.get("/v1/cluster", token), "INVALID_TOKEN", "deleted tenant");
        assertGrpcRejected(token, "INVALID_TOKEN");
    }

    /** A delete this node's cache is not told about (made by another node): refused within the recheck interval. */
    @Test
    void aDeleteOnAnotherNodeIsSeenWithinTheRecheckInterval() throws Exception {
        String tenant = newTenant();
        JsonNode account = newAccount(tenant, "app", "member");
        String token = tokenOf(account);
        assertEquals(200, client.get("/v1/cluster", token).statusCode());
        assertEquals(200, client.get("/v1/cluster", token).statusCode());

        // What another node's delete leaves in the store: the principal's client entry is gone.
        String clientId = account.get("clientId").asText();
        store.run(tx -> {
            tx.clear(ControlPlaneKeys.client(clientId));
            return null;
        });
        long deletedAt = System.nanoTime();
        Duration bound = authConfig.tokenCache().principalRecheckInterval();
        int status;
        do {
            status = client.get("/v1/cluster", token).statusCode();
        } while (status == 200 && System.nanoTime() - deletedAt < bound.toNanos() + TimeUnit.SECONDS.toNanos(3) && sleep(100));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedAt);
        assertEquals(401, status, "still accepted " + tookMillis + " ms after the delete");
        assertTrue(tookMillis <= bound.toMillis() + 1000, "refused after " + tookMillis + " ms; bound " + bound);
        AuthenticationTest.assertProblem(client.get("/v1/cluster", token), "INVALID_TOKEN", "deleted elsewhere");
    }

    @Test
    void aTamperedTokenNeverMatchesACachedOne() throws Exception {
        String principal = profile.credentials().clientId();
        Map<String, String> bad = BadTokens.of(issuer, principal);
        String good = client.token(principal, profile.credentials().clientSecret());
        assertEquals(200, client.get("/v1/cluster", good).statusCode());
        assertEquals(200, client.get("/v1/cluster", good).statusCode());
        assertNotNull(cache.get(good));

        String[] parts = good.split("\\.");
        char c = parts[2].charAt(7);
        String flipped = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 7) + (c == 'A' ? 'B' : 'A') + parts[2].substring(8);
        String otherPayload = bad.get("tampered payload").split("\\.")[1];
        for (String tampered : new String[] {flipped, parts[0] + "." + otherPayload + "." + parts[2], good + "x"}) {
            for (int i = 0; i < 2; i++) {
                long hits = cache.hits();
                AuthenticationTest.assertProblem(client.get("/v1/cluster", tampered), "INVALID_TOKEN", "tampered " + tampered);
                assertGrpcRejected(tampered, "INVALID_TOKEN");
                assertEquals(hits, cache.hits(), "a tampered token is never served from the cache");
            }
        }
        assertEquals(200, client.get("/v1/cluster", good).statusCode(), "the original stays valid");
    }

    private ClusterServiceGrpc.ClusterServiceBlockingStub grpc(String token) {
        return ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .withCallCredentials(TestClient.bearer(token));
    }

    private void assertGrpcRejected(String token, String code) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> grpc(token).getClusterInfo(GetClusterInfoRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), code + ": " + e.getStatus());
        assertTrue(e.getStatus().getDescription().startsWith(code + ":"), e.getStatus().getDescription());
        assertEquals(code, e.getTrailers().get(Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER)));
    }

    private String newTenant() throws Exception {
        String id = "tc-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = client.postJson("/v1/tenants", admin, "{\"id\":\"" + id + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        return id;
    }

    private JsonNode newAccount(String tenant, String name, String role) throws Exception {
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenant + "/service-accounts", admin,
                "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        return TestClient.json(created);
    }

    private String tokenOf(JsonNode account) throws Exception {
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}

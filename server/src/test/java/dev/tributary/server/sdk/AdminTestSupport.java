package dev.tributary.server.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.TestClient;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the admin-client tests share: the platform administrator's real profile file (the one the
 * server writes into its data directory), tenants and service accounts created over REST, SDK
 * profiles with their real client credentials, and assertions on futures.
 */
final class AdminTestSupport {
    final TestClient rest;
    final String platformAdminToken;
    final Path platformAdminProfile;
    private final URI endpoint;
    private final Path caFile;

    private AdminTestSupport(TestClient rest, String platformAdminToken, Path platformAdminProfile, URI endpoint, Path caFile) {
        this.rest = rest;
        this.platformAdminToken = platformAdminToken;
        this.platformAdminProfile = platformAdminProfile;
        this.endpoint = endpoint;
        this.caFile = caFile;
    }

    static AdminTestSupport connect(URL root, Path dataDir) throws Exception {
        TestClient rest = TestClient.forServer(root, dataDir);
        awaitReachable(rest);
        // Waits until the server has written the bootstrap credentials into the profile.
        TestClient.awaitProfileWithCredentials(dataDir);
        return new AdminTestSupport(rest, rest.adminToken(dataDir), dataDir.resolve(ConnectionProfile.PLATFORM_ADMIN_FILE_NAME),
                URI.create("https://localhost:" + root.getPort()), rest.caFile());
    }

    /**
     * Waits (up to 60 s) until the server completes a TLS connection and answers its readiness
     * probe: on a loaded machine the first handshake can take longer than the test client's 5 s
     * connect timeout, which would fail whichever test happens to run first.
     */
    static void awaitReachable(TestClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (client.get("/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the server under test is not ready after 60 s");
            }
            Thread.sleep(100);
        }
    }

    /** A client of the bootstrap platform administrator, connected with the profile file standalone writes. */
    TributaryClient platformAdmin() {
        return TributaryClient.connect(platformAdminProfile);
    }

    String newTenant(String prefix) throws Exception {
        String id = TestClient.uniqueId(prefix);
        rest.createTenant(platformAdminToken, id);
        return id;
    }

    /** A service account of {@code tenant} with {@code role}, created over REST: id, clientId, clientSecret. */
    JsonNode newAccount(String tenant, String role) throws Exception {
        return rest.createServiceAccount(platformAdminToken, tenant, role + "-" + UUID.randomUUID().toString().substring(0, 4), role);
    }

    /** A client with the account's credentials, addressing the account's own tenant. */
    TributaryClient client(JsonNode account) {
        return TributaryClient.connect(profile(account.get("clientId").asText(), account.get("clientSecret").asText()));
    }

    ClientProfile profile(String clientId, String clientSecret) {
        return new ClientProfile(endpoint, caFile, clientId, clientSecret, null, null);
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("unexpected failure: " + e.getCause(), e.getCause());
        }
    }

    /** The TributaryException the future failed with; fails the test if it succeeded or failed otherwise. */
    static TributaryException failure(CompletableFuture<?> future) throws Exception {
        try {
            Object result = future.get(30, TimeUnit.SECONDS);
            return fail("expected a failure, got " + result);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TributaryException t) {
                return t;
            }
            throw new AssertionError("expected a TributaryException, got " + e.getCause(), e.getCause());
        }
    }

    /** The future failed with {@code code}, answered by the server with HTTP {@code status}. */
    static TributaryException assertCode(String code, int status, CompletableFuture<?> future) throws Exception {
        TributaryException e = failure(future);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(Integer.toString(status), e.metadata().get("http_status"), e.getMessage());
        return e;
    }

    /** The future failed with {@code code} without a request: the client refused it itself. */
    static void assertLocalCode(String code, CompletableFuture<?> future) throws Exception {
        TributaryException e = failure(future);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(null, e.metadata().get("http_status"), "refused by the client, not the server: " + e.getMessage());
    }
}

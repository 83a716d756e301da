package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identity.SigningKeyStore;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identitypool.IdentityPoolRegistry;
import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.dataplane.listener.DataPlaneListener;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.DataPlanePods;
import dev.tributary.server.testing.EndpointChannels;
import dev.tributary.server.testing.KeycloakServer;
import dev.tributary.server.testing.TestCertificates;
import dev.tributary.server.testing.RawRecords;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real external OpenID Connect provider as a tenant's identity pool: Keycloak (the distribution
 * Maven unpacks into target/keycloak, run on a JDK 21+ on 127.0.0.1 over HTTPS with a certificate of
 * a CA this test makes) with a realm of confidential clients using the client-credentials grant, an
 * audience mapper ({@code aud = tributary}) and a groups claim.
 *
 * <p>Registered as tenant X's pool (its issuerCaPem the test CA), a Keycloak token works on the
 * REST API and the data plane (produce, fetch; the server's listener and a data-plane pod's own) as
 * {@code kc:<client id>}, a tenant administrator when its client is in the admin group; it is refused
 * (403) for tenant Y; a token for another audience is refused (401); once the pool is deleted, the
 * same still valid tokens are refused (401).
 *
 * <p>Skipped, loudly, only when no JDK 21 or newer can be found (KEYCLOAK_JAVA_HOME, the Temurin 25
 * JDK at /usr/lib/jvm/temurin-25-jdk-amd64, JAVA_HOME, /usr/lib/jvm). Keycloak's output is in
 * server/target/keycloak-test/keycloak.log.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class KeycloakIdentityPoolTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final String REALM = "/keycloak/tributary-test-realm.json";
    private static KeycloakServer keycloak;
    private static String caPem;
    private static long classStarted;

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;
    @Inject
    LocalNode server;
    @Inject
    TokenIssuer builtIn;
    @Inject
    SigningKeyStore signingKeys;
    @Inject
    ServiceAccountService accounts;
    @Inject
    IdentityPoolRegistry pools;

    @BeforeAll
    static void startKeycloak() throws Exception {
        classStarted = System.nanoTime();
        Optional<Path> java = KeycloakServer.findJava();
        if (java.isEmpty()) {
            String message = "KeycloakIdentityPoolTest SKIPPED: Keycloak needs a JDK 21 or newer and none was found "
                    + "(set KEYCLOAK_JAVA_HOME, or install one under /usr/lib/jvm, e.g. /usr/lib/jvm/temurin-25-jdk-amd64). "
                    + "The identity-pool integration with a real external OIDC provider was NOT tested.";
            System.err.println("\n" + "!".repeat(100) + "\n" + message + "\n" + "!".repeat(100) + "\n");
            Assumptions.abort(message);
        }
        String home = System.getProperty("keycloak.dist.home");
        String work = System.getProperty("keycloak.test.work");
        if (home == null || work == null || !Files.isExecutable(Path.of(home, "bin/kc.sh"))) {
            throw new AssertionError("no Keycloak distribution at " + home + ": run the tests through Maven, whose keycloak profile "
                    + "unpacks org.keycloak:keycloak-quarkus-dist into server/target/keycloak");
        }
        TestCertificates authority = TestCertificates.newAuthority("keycloak");
        caPem = authority.caPem();
        keycloak = KeycloakServer.start(Path.of(home), Path.of(work), java.get(), REALM, authority.issueServer());
        System.out.printf("Keycloak (JDK %s): build %d s, start %d s, log %s%n", java.get(), keycloak.buildTime().toSeconds(),
                keycloak.startTime().toSeconds(), keycloak.log());
    }

    @AfterAll
    static void stopKeycloak() {
        if (keycloak != null) {
            keycloak.close();
            keycloak = null;
        }
        System.out.printf("KeycloakIdentityPoolTest: %d s in all%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - classStarted));
    }

    private String token(String clientId) throws Exception {
        String secret = switch (clientId) {
            case "tributary-admin-app" -> "admin-app-test-secret-not-for-production";
            case "tributary-member-app" -> "member-app-test-secret-not-for-production";
            case "other-service" -> "other-service-test-secret-not-for-production";
            default -> throw new IllegalArgumentException(clientId);
        };
        return keycloak.clientCredentialsToken(clientId, secret);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }

    @Test
    void aKeycloakRealmIsATenantsIdentityPool() throws Exception {
        TestClient client = TestClient.forServer(root, config.dataDir());
        String admin = client.adminToken(config.dataDir());
        String tenantX = TestClient.uniqueId("kc-x");
        String tenantY = TestClient.uniqueId("kc-y");
        String xAdmin = client.tenantWithAccount(admin, tenantX, "tenant-admin");
        client.createTenant(admin, tenantY);

        // Tenant X's administrator registers the realm as X's identity pool.
        ObjectNode pool = TestClient.JSON.createObjectNode().put("name", "kc").put("issuer", keycloak.issuer())
                .put("audience", "tributary").put("principalClaim", "azp").put("adminClaim", "groups").put("issuerCaPem", caPem);
        pool.putArray("adminValues").add("tributary-admins");
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenantX + "/identity-pools", xAdmin, pool.toString());
        assertEquals(201, created.statusCode(), created.body());

        String adminApp = token("tributary-admin-app");
        String memberApp = token("tributary-member-app");
        String otherAudience = token("other-service");
        JsonNode claims = TestClient.claims(adminApp);
        assertEquals(keycloak.issuer(), claims.get("iss").asText());
        assertEquals("tributary", claims.get("aud").isArray() ? claims.get("aud").get(0).asText() : claims.get("aud").asText());

        try (EndpointChannels channels = new EndpointChannels(client.caFile());
                DataPlanePods pods = new DataPlanePods(store, config.dataDir(), DataPlanePods.config(Map.of()),
                        new BearerTokenVerifier(signingKeys, builtIn.issuer(), accounts::exists, pools::lookup))) {
            DataPlaneListener pod = pods.start("kc-pod");
            List<String> listeners = List.of(server.endpoint(), pod.endpoint());
            var produce = ProduceServiceGrpc.newBlockingStub(channels.channel(server.endpoint()));
            java.util.function.BiFunction<String, String, FetchServiceGrpc.FetchServiceBlockingStub> fetcher = (endpoint, token) ->
                    FetchServiceGrpc.newBlockingStub(channels.channel(endpoint)).withCallCredentials(TestClient.bearer(token))
                            .withDeadlineAfter(20, TimeUnit.SECONDS);

            // The admin group's client is an administrator of X: REST ...
            assertEquals(200, client.get("/v1/tenants/" + tenantX + "/service-accounts", adminApp).statusCode());
            HttpResponse<String> topic = client.postJson("/v1/tenants/" + tenantX + "/topics", adminApp,
                    "{\"name\":\"kc-orders\",\"partitions\":1}");
            assertEquals(201, topic.statusCode(), topic.body());
            // ... and the data plane: produce and fetch on the server's listener, metadata on both.
            produce.withCallCredentials(TestClient.bearer(adminApp)).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .produce(RawRecords.produceOne("kc-orders", "from-keycloak-admin"));
            assertEquals(List.of("from-keycloak-admin"), RawRecords.values(fetcher.apply(server.endpoint(), adminApp).fetch(RawRecords.fetchPartitionZero("kc-orders"))));
            for (String endpoint : listeners) {
                assertEquals(1, fetcher.apply(endpoint, adminApp).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
            }

            // The other client is a member, principal kc:tributary-member-app: ACLs decide, naming it so.
            assertProblem(client.get("/v1/tenants/" + tenantX + "/service-accounts", memberApp), 403, "FORBIDDEN");
            HttpResponse<String> denied = client.get("/v1/tenants/" + tenantX + "/topics/kc-orders", memberApp);
            assertProblem(denied, 403, "FORBIDDEN");
            assertTrue(TestClient.json(denied).get("detail").asText().contains("principal kc:tributary-member-app "), denied.body());
            client.grantAcl(xAdmin, tenantX, "kc:tributary-member-app", "read", "topic", "kc-orders");
            client.grantAcl(xAdmin, tenantX, "kc:tributary-member-app", "write", "topic", "kc-orders");
            assertEquals(200, client.get("/v1/tenants/" + tenantX + "/topics/kc-orders", memberApp).statusCode());
            produce.withCallCredentials(TestClient.bearer(memberApp)).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .produce(RawRecords.produceOne("kc-orders", "from-keycloak-member"));
            assertEquals(List.of("from-keycloak-admin", "from-keycloak-member"),
                    RawRecords.values(fetcher.apply(server.endpoint(), memberApp).fetch(RawRecords.fetchPartitionZero("kc-orders"))));
            for (String endpoint : listeners) {
                assertEquals(1, fetcher.apply(endpoint, memberApp).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
            }

            // Tenant Y: refused, administrator of X or not.
            for (String token : List.of(adminApp, memberApp)) {
                assertProblem(client.get("/v1/tenants/" + tenantY + "/topics", token), 403, "FORBIDDEN");
                assertProblem(client.get("/v1/tenants/" + tenantY + "/service-accounts", token), 403, "FORBIDDEN");
                assertProblem(client.postJson("/v1/tenants/" + tenantY + "/topics", token, "{\"name\":\"nope\"}"), 403, "FORBIDDEN");
            }

            // A token of the same realm for another audience: 401 everywhere.
            assertRefused(client, listeners, fetcher, otherAudience, "token for another audience");

            // The pool deleted: the same tokens, still valid at Keycloak, are refused at once.
            assertEquals(204, client.delete("/v1/tenants/" + tenantX + "/identity-pools/kc", xAdmin).statusCode());
            assertRefused(client, listeners, fetcher, adminApp, "admin token after the pool was deleted");
            assertRefused(client, listeners, fetcher, memberApp, "member token after the pool was deleted");
            assertTrue(TestClient.claims(adminApp).get("exp").asLong() * 1000 > System.currentTimeMillis(), "the token itself is still valid");
        }
    }

    private static void assertRefused(TestClient client, List<String> listeners,
            java.util.function.BiFunction<String, String, FetchServiceGrpc.FetchServiceBlockingStub> fetcher, String token, String what)
            throws Exception {
        HttpResponse<String> rest = client.get("/v1/cluster", token);
        assertEquals(401, rest.statusCode(), what + ": " + rest.body());
        assertEquals("INVALID_TOKEN", TestClient.json(rest).get("code").asText(), what);
        for (String endpoint : listeners) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> fetcher.apply(endpoint, token).metadata(MetadataRequest.getDefaultInstance()), what + " at " + endpoint);
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), what + " at " + endpoint);
            assertEquals("INVALID_TOKEN", e.getTrailers().get(ERROR_CODE), what + " at " + endpoint);
        }
    }
}

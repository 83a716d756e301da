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
import dev.tributary.controlplane.security.VerifiedTokenCache;
import dev.tributary.dataplane.listener.DataPlaneListener;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.DataPlanePods;
import dev.tributary.server.testing.EndpointChannels;
import dev.tributary.server.testing.RawRecords;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TestIssuer;
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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens of a tenant's identity pool, from a real OIDC issuer served by the test (HTTPS with its
 * own CA, discovery and JWKS, RS256 keys), on every path: the REST API and data-plane gRPC on the
 * server's listener (verified by quarkus-oidc) and on a data-plane pod's own listener (verified by
 * BearerTokenVerifier). They act for the pool's tenant only, as {@code pool:claim}, tenant
 * administrators by the admin claim; every kind of bad token is refused alike by both listeners;
 * pool changes, key rotation and deletes (of the pool or its tenant) take effect at once.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class IdentityPoolAuthenticationTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);

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
    @Inject
    VerifiedTokenCache verifiedTokens;

    private TestClient client;
    private String admin;
    private EndpointChannels channels;
    private DataPlanePods pods;
    private DataPlaneListener pod;
    private final List<TestIssuer> issuers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channels = new EndpointChannels(client.caFile());
        pods = new DataPlanePods(store, config.dataDir(), DataPlanePods.config(Map.of()),
                new BearerTokenVerifier(signingKeys, builtIn.issuer(), accounts::exists, pools::lookup));
        pod = pods.start("pool-pod");
    }

    @AfterEach
    void stop() throws Exception {
        if (pods != null) {
            pods.close();
        }
        if (channels != null) {
            channels.close();
        }
        issuers.forEach(TestIssuer::close);
    }

    private TestIssuer newIssuer() throws Exception {
        TestIssuer issuer = TestIssuer.start(TestClient.uniqueId("realm"));
        issuers.add(issuer);
        return issuer;
    }

    private String newTenant() throws Exception {
        String tenant = TestClient.uniqueId("ipa");
        client.createTenant(admin, tenant);
        return tenant;
    }

    /** The pool the tests register: principals by preferred_username, administrators by group. */
    private static ObjectNode poolBody(String name, TestIssuer issuer) throws Exception {
        ObjectNode body = TestClient.JSON.createObjectNode().put("name", name).put("issuer", issuer.issuer())
                .put("audience", "tributary").put("principalClaim", "preferred_username").put("adminClaim", "groups")
                .put("issuerCaPem", issuer.caPem());
        body.putArray("adminValues").add("tributary-admins");
        return body;
    }

    private void createPool(String tenant, ObjectNode body) throws Exception {
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenant + "/identity-pools", admin, body.toString());
        assertEquals(201, created.statusCode(), created.body());
    }

    private HttpResponse<String> putPool(String tenant, String name, ObjectNode body) throws Exception {
        return client.send(client.request("/v1/tenants/" + tenant + "/identity-pools/" + name, admin)
                .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private static String adminToken(TestIssuer issuer) throws Exception {
        return issuer.token("tributary", Map.of("preferred_username", "alice", "groups", List.of("staff", "tributary-admins")));
    }

    private static String memberToken(TestIssuer issuer) throws Exception {
        return issuer.token("tributary", Map.of("preferred_username", "bob", "groups", List.of("staff")));
    }

    private List<String> listeners() {
        return List.of(server.endpoint(), pod.endpoint());
    }

    private FetchServiceGrpc.FetchServiceBlockingStub fetcher(String endpoint, String token) {
        return FetchServiceGrpc.newBlockingStub(channels.channel(endpoint)).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private ProduceServiceGrpc.ProduceServiceBlockingStub producer(String token) {
        return ProduceServiceGrpc.newBlockingStub(channels.channel(server.endpoint())).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }

    /** A token refused on REST (401 with {@code code}) and on both listeners' gRPC (UNAUTHENTICATED, same code and words). */
    private void assertRefusedEverywhere(String token, String code, String what) throws Exception {
        HttpResponse<String> rest = client.get("/v1/tenants", token);
        assertEquals(401, rest.statusCode(), what + ": " + rest.body());
        assertEquals(code, TestClient.json(rest).get("code").asText(), what + ": " + rest.body());
        String description = null;
        for (String endpoint : listeners()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> fetcher(endpoint, token).metadata(MetadataRequest.getDefaultInstance()), what + " at " + endpoint);
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), what + " at " + endpoint + ": " + e.getStatus());
            assertEquals(code, e.getTrailers().get(ERROR_CODE), what + " at " + endpoint);
            if (description == null) {
                description = e.getStatus().getDescription();
            } else {
                assertEquals(description, e.getStatus().getDescription(), what + ": the same words from both listeners");
            }
        }
    }

    @Test
    void poolTokensActForThePoolsTenantOnlyAsTheMappedPrincipal() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        String otherTenant = newTenant();
        createPool(tenant, poolBody("corp", idp));
        String alice = adminToken(idp);
        String bob = memberToken(idp);

        // alice is in the admin group: a tenant administrator of the pool's tenant, on REST ...
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", alice).statusCode());
        HttpResponse<String> topic = client.postJson("/v1/tenants/" + tenant + "/topics", alice, "{\"name\":\"orders\",\"partitions\":1}");
        assertEquals(201, topic.statusCode(), topic.body());
        // ... and on the data plane of both listeners.
        assertEquals(0, producer(alice).produce(RawRecords.produceOne("orders", "from-alice")).getPartitions(0).getBatches(0).getBaseOffset());
        assertEquals(List.of("from-alice"), RawRecords.values(fetcher(server.endpoint(), alice).fetch(RawRecords.fetchPartitionZero("orders"))));
        for (String endpoint : listeners()) {
            assertEquals(1, fetcher(endpoint, alice).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }

        // bob is a member, named corp:bob: refused what ACLs do not grant him, allowed what they grant to corp:bob.
        assertProblem(client.get("/v1/tenants/" + tenant + "/service-accounts", bob), 403, "FORBIDDEN");
        HttpResponse<String> denied = client.get("/v1/tenants/" + tenant + "/topics/orders", bob);
        assertProblem(denied, 403, "FORBIDDEN");
        assertTrue(TestClient.json(denied).get("detail").asText().contains("principal corp:bob "), denied.body());
        StatusRuntimeException deniedFetch = assertThrows(StatusRuntimeException.class,
                () -> fetcher(server.endpoint(), bob).fetch(RawRecords.fetchPartitionZero("orders")));
        assertEquals(Status.Code.PERMISSION_DENIED, deniedFetch.getStatus().getCode());
        client.grantAcl(admin, tenant, "corp:bob", "read", "topic", "orders");
        client.grantAcl(admin, tenant, "corp:bob", "write", "topic", "orders");
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/topics/orders", bob).statusCode());
        producer(bob).produce(RawRecords.produceOne("orders", "from-bob"));
        assertEquals(List.of("from-alice", "from-bob"), RawRecords.values(fetcher(server.endpoint(), bob).fetch(RawRecords.fetchPartitionZero("orders"))));
        for (String endpoint : listeners()) {
            assertEquals(1, fetcher(endpoint, bob).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }

        // Another tenant: refused, whatever the token claims; so is anything of the cluster scope.
        for (String token : List.of(alice, bob, idp.token("tributary", Map.of("preferred_username", "mallory",
                "groups", List.of("tributary-admins"), "tributary_tenant", otherTenant, "tributary_roles", List.of("platform-admin"))))) {
            assertProblem(client.get("/v1/tenants/" + otherTenant + "/topics", token), 403, "FORBIDDEN");
            assertProblem(client.get("/v1/tenants/" + otherTenant + "/identity-pools", token), 403, "FORBIDDEN");
            assertProblem(client.get("/v1/tenants", token), 403, "FORBIDDEN");
            for (String endpoint : listeners()) {
                assertEquals(1, fetcher(endpoint, token).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount() , endpoint);
            }
        }
    }

    @Test
    void everyKindOfBadPoolTokenIsRefusedAlikeByBothListeners() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        createPool(tenant, poolBody("corp", idp));
        TestIssuer stranger = newIssuer();
        Map<String, Object> alice = Map.of("preferred_username", "alice", "groups", List.of("tributary-admins"));

        assertRefusedEverywhere(idp.token("someone-else", alice), "INVALID_TOKEN", "wrong audience");
        assertRefusedEverywhere(idp.token("tributary", alice, Instant.now().minus(Duration.ofMinutes(5))), "TOKEN_EXPIRED", "expired");
        assertRefusedEverywhere(idp.tokenSignedByUnpublishedKey("tributary", alice), "INVALID_TOKEN", "unpublished key");
        assertRefusedEverywhere(stranger.token("tributary", alice), "INVALID_TOKEN", "issuer without a pool");
        String noPrincipal = idp.token("tributary", Map.of("groups", List.of("tributary-admins")));
        assertRefusedEverywhere(noPrincipal, "INVALID_TOKEN", "no principal claim");
        assertTrue(TestClient.json(client.get("/v1/tenants", noPrincipal)).get("detail").asText().contains("preferred_username"));
        String good = adminToken(idp);
        String[] parts = good.split("\\.");
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        assertRefusedEverywhere(unsigned, "INVALID_TOKEN", "unsigned");
        String hs256 = TestClient.JSON.createObjectNode().put("alg", "HS256").put("kid", TestClient.header(good).get("kid").asText())
                .toString();
        assertRefusedEverywhere(Base64.getUrlEncoder().withoutPadding().encodeToString(hs256.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[1] + "." + parts[2], "INVALID_TOKEN", "HS256 header");
        char c = parts[2].charAt(10);
        assertRefusedEverywhere(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A')
                + parts[2].substring(11), "INVALID_TOKEN", "tampered signature");
        // The good token works on both, after all that.
        for (String endpoint : listeners()) {
            assertEquals(0, fetcher(endpoint, good).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }
    }

    @Test
    void changingOrDeletingThePoolTakesEffectAtOnce() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        createPool(tenant, poolBody("corp", idp));
        String token = adminToken(idp);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.get("/v1/tenants/" + tenant + "/topics", token).statusCode());
        }
        long hits = verifiedTokens.hits();
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/topics", token).statusCode());
        assertTrue(verifiedTokens.hits() > hits, "a pool token is remembered like any other");

        // A new audience: the remembered token was for the old one, and is refused at once everywhere.
        ObjectNode changed = poolBody("corp", idp).put("audience", "tributary-v2");
        assertEquals(200, putPool(tenant, "corp", changed).statusCode());
        assertRefusedEverywhere(token, "INVALID_TOKEN", "token for the audience the pool had");
        String v2 = idp.token("tributary-v2", Map.of("preferred_username", "alice", "groups", List.of("tributary-admins")));
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", v2).statusCode());
        for (String endpoint : listeners()) {
            assertEquals(0, fetcher(endpoint, v2).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }
        // No admin values any more: alice is a member from the next request on.
        ObjectNode noAdmins = changed.deepCopy();
        noAdmins.remove("adminClaim");
        noAdmins.remove("adminValues");
        assertEquals(200, putPool(tenant, "corp", noAdmins).statusCode());
        assertProblem(client.get("/v1/tenants/" + tenant + "/service-accounts", v2), 403, "FORBIDDEN");

        assertEquals(204, client.delete("/v1/tenants/" + tenant + "/identity-pools/corp", admin).statusCode());
        assertRefusedEverywhere(v2, "INVALID_TOKEN", "token of a deleted pool");

        // Registered again (same issuer, another tenant): its tokens act for that tenant now.
        String next = newTenant();
        createPool(next, poolBody("corp", idp));
        String again = adminToken(idp);
        assertEquals(200, client.get("/v1/tenants/" + next + "/service-accounts", again).statusCode());
        assertProblem(client.get("/v1/tenants/" + tenant + "/service-accounts", again), 403, "FORBIDDEN");
        // Deleting that tenant ends them too.
        assertEquals(204, client.delete("/v1/tenants/" + next, admin).statusCode());
        assertRefusedEverywhere(again, "INVALID_TOKEN", "token of a deleted tenant's pool");
    }

    @Test
    void rotatedIssuerKeysAreFetchedOnAnUnknownKidAtMostEveryFewSeconds() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        createPool(tenant, poolBody("corp", idp));
        String before = adminToken(idp);
        for (String endpoint : listeners()) {
            assertEquals(0, fetcher(endpoint, before).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }
        int fetched = idp.jwksRequests();

        // Tokens naming keys the issuer never had: refused, and they cannot make the verifiers fetch the
        // JWKS per token: each of the two (the server's, the pod's) fetches at most once per 5 seconds.
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            String forged = idp.tokenSignedByUnpublishedKey("tributary", Map.of("preferred_username", "x" + i));
            String[] parts = forged.split("\\.");
            String header = Base64.getUrlEncoder().withoutPadding().encodeToString(TestClient.JSON.createObjectNode()
                    .put("alg", "RS256").put("kid", "made-up-" + i).toString().getBytes(StandardCharsets.UTF_8));
            String token = header + "." + parts[1] + "." + parts[2];
            assertEquals(401, client.get("/v1/tenants/" + tenant + "/topics", token).statusCode());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> fetcher(pod.endpoint(), token).metadata(MetadataRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        }
        long windows = 1 + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) / 5;
        int fetches = idp.jwksRequests() - fetched;
        assertTrue(fetches <= 2 * windows, "JWKS fetches for 40 tokens with unknown kids in " + windows + " 5-second windows: " + fetches);

        // A real rotation: the new key's tokens are accepted once the refetch interval allows a fetch.
        idp.rotateKey();
        String after = adminToken(idp);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> accepted = new ArrayList<>();
        while (accepted.size() < 2 && System.nanoTime() < deadline) {
            accepted.clear();
            for (String endpoint : listeners()) {
                try {
                    fetcher(endpoint, after).metadata(MetadataRequest.getDefaultInstance());
                    accepted.add(endpoint);
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
                }
            }
            Thread.sleep(500);
        }
        assertEquals(listeners(), accepted, "the rotated key's token on both listeners");
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/topics", after).statusCode());
    }

    @Test
    void theIssuersTlsIsTrustedOnlyThroughThePoolsCa() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        ObjectNode untrusted = poolBody("corp", idp);
        untrusted.remove("issuerCaPem");
        createPool(tenant, untrusted);
        String token = adminToken(idp);
        // The issuer's certificate is of a CA the JDK does not trust: its keys cannot be fetched.
        assertRefusedEverywhere(token, "INVALID_TOKEN", "issuer reached without its CA");
        assertEquals(0, idp.jwksRequests(), "no key was fetched from an issuer whose certificate is not trusted");

        assertEquals(200, putPool(tenant, "corp", poolBody("corp", idp)).statusCode());
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", token).statusCode());
        for (String endpoint : listeners()) {
            assertEquals(0, fetcher(endpoint, token).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }
    }

    @Test
    void anIssuerThatIsDownIsUsedOnceItAnswersAgain() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        createPool(tenant, poolBody("corp", idp));
        String token = adminToken(idp);
        idp.pause();
        // Its keys cannot be fetched: 401 (not a server error) on every path, with the reason.
        assertRefusedEverywhere(token, "INVALID_TOKEN", "issuer down");
        assertTrue(TestClient.json(client.get("/v1/tenants", token)).get("detail").asText().contains("could not be fetched"));

        // Back up, the pool unchanged: both verifiers fetch its keys again by themselves (the pod at most every 5 s).
        idp.resume();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> accepted = new ArrayList<>();
        while (accepted.size() < 2 && System.nanoTime() < deadline) {
            accepted.clear();
            for (String endpoint : listeners()) {
                try {
                    fetcher(endpoint, token).metadata(MetadataRequest.getDefaultInstance());
                    accepted.add(endpoint);
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
                }
            }
            Thread.sleep(500);
        }
        assertEquals(listeners(), accepted, "the token on both listeners once the issuer answers");
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", token).statusCode());
    }

    @Test
    void aJwksUriIsUsedWithoutDiscovery() throws Exception {
        TestIssuer idp = newIssuer();
        String tenant = newTenant();
        createPool(tenant, poolBody("corp", idp).put("jwksUri", idp.jwksUri()));
        String token = adminToken(idp);
        assertEquals(200, client.get("/v1/tenants/" + tenant + "/service-accounts", token).statusCode());
        for (String endpoint : listeners()) {
            assertEquals(0, fetcher(endpoint, token).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(), endpoint);
        }
        assertEquals(0, idp.discoveryRequests(), "keys from the jwksUri, no discovery");
        assertTrue(idp.jwksRequests() >= 1);
        JsonNode claims = TestClient.claims(token);
        assertEquals(idp.issuer(), claims.get("iss").asText());
    }
}

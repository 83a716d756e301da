package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.TopicInfo;
import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identity.SigningKeyStore;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.dataplane.listener.DataPlaneListener;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.DataPlanePods;
import dev.tributary.server.testing.EndpointChannels;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A data-plane pod on a listener of its own authenticates exactly like the server's listener:
 * tokens from the real token endpoint are accepted and give the token's tenant; a missing token,
 * each kind of bad token, and a token of a deleted account get the same gRPC status, description
 * and {@code tributary-error-code} from both; a platform administrator is refused the data plane by
 * both. Every call here is made to both listeners and their answers compared. (Key rotation is
 * covered by BearerTokenVerifierTest: rotating here would make the server's own verifier refetch
 * its JWKS, which it does at most every few seconds, under the feet of the tests that follow.)
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class PodAuthenticationTest {
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
    TokenIssuer issuer;
    @Inject
    SigningKeyStore signingKeys;
    @Inject
    ServiceAccountService accounts;

    private TestClient client;
    private String admin;
    private EndpointChannels channels;
    private DataPlanePods pods;
    private DataPlaneListener pod;

    @BeforeEach
    void start() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channels = new EndpointChannels(client.caFile());
        pods = new DataPlanePods(store, config.dataDir(), DataPlanePods.config(Map.of()),
                new BearerTokenVerifier(signingKeys, issuer.issuer(), accounts::exists));
        pod = pods.start("auth-pod");
    }

    @AfterEach
    void stop() throws Exception {
        if (pods != null) {
            pods.close();
        }
        if (channels != null) {
            channels.close();
        }
    }

    private List<String> listeners() {
        return List.of(server.endpoint(), pod.endpoint());
    }

    private FetchServiceGrpc.FetchServiceBlockingStub fetcher(String endpoint, CallCredentials credentials) {
        FetchServiceGrpc.FetchServiceBlockingStub stub = FetchServiceGrpc.newBlockingStub(channels.channel(endpoint))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        return credentials == null ? stub : stub.withCallCredentials(credentials);
    }

    /** The same refusal from both listeners: status, description, and the code in the trailer. */
    private void assertRefusedAlike(CallCredentials credentials, Status.Code status, String code, String what) {
        String description = null;
        for (String endpoint : listeners()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> fetcher(endpoint, credentials).metadata(MetadataRequest.getDefaultInstance()), what + " at " + endpoint);
            assertEquals(status, e.getStatus().getCode(), what + " at " + endpoint + ": " + e.getStatus());
            assertTrue(e.getStatus().getDescription().startsWith(code + ":"), what + " at " + endpoint + ": " + e.getStatus());
            assertEquals(code, e.getTrailers().get(ERROR_CODE), what + " at " + endpoint);
            if (description == null) {
                description = e.getStatus().getDescription();
            } else {
                assertEquals(description, e.getStatus().getDescription(), what + ": the same words from both listeners");
            }
        }
    }

    @Test
    void missingAndBadTokensAreRefusedAsByTheServer() throws Exception {
        assertRefusedAlike(null, Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", "no token");
        assertRefusedAlike(scheme("Basic dXNlcjpwYXNz"), Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", "Basic instead of Bearer");
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(config.dataDir());
        for (Map.Entry<String, String> bad : BadTokens.of(issuer, profile.credentials().clientId()).entrySet()) {
            assertRefusedAlike(TestClient.bearer(bad.getValue()), Status.Code.UNAUTHENTICATED, BadTokens.expectedCode(bad.getKey()),
                    bad.getKey());
        }
        // A platform administrator's valid token: authenticated, but it has no tenant and so no topics.
        assertRefusedAlike(TestClient.bearer(admin), Status.Code.PERMISSION_DENIED, "FORBIDDEN", "platform administrator");
    }

    @Test
    void aTokenGivesItsOwnTenantOnBothListeners() throws Exception {
        String tenantA = TestClient.uniqueId("pa");
        String tenantB = TestClient.uniqueId("pa");
        String tokenA = client.grantClientAcls(admin, tenantA, client.tenantWithAccount(admin, tenantA, "member"));
        String tokenB = client.grantClientAcls(admin, tenantB, client.tenantWithAccount(admin, tenantB, "member"));
        client.createTopic(admin, tenantA, "only-in-a", 2, "{}");

        for (String endpoint : listeners()) {
            TopicInfo seen = fetcher(endpoint, TestClient.bearer(tokenA))
                    .metadata(MetadataRequest.newBuilder().addTopics("only-in-a").build()).getTopics(0);
            assertEquals(2, seen.getPartitionsCount(), endpoint);
            // The same name from tenant B's token resolves in tenant B, where it does not exist.
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fetcher(endpoint, TestClient.bearer(tokenB))
                    .metadata(MetadataRequest.newBuilder().addTopics("only-in-a").build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), endpoint + ": " + e.getStatus());
            assertEquals(0, fetcher(endpoint, TestClient.bearer(tokenB)).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(),
                    endpoint + ": tenant B sees none of tenant A's topics");
        }
    }

    @Test
    void aDeletedAccountsTokenIsRefusedBeforeItExpires() throws Exception {
        String tenant = TestClient.uniqueId("pa");
        client.tenantWithAccount(admin, tenant, "member");
        JsonNode account = TestClient.json(client.postJson("/v1/tenants/" + tenant + "/service-accounts", admin,
                "{\"name\":\"short-lived\",\"role\":\"member\"}"));
        String token = client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
        for (String endpoint : listeners()) {
            assertEquals(0, fetcher(endpoint, TestClient.bearer(token)).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount());
        }
        assertEquals(204, client.delete("/v1/tenants/" + tenant + "/service-accounts/" + account.get("id").asText(), admin).statusCode());

        assertRefusedAlike(TestClient.bearer(token), Status.Code.UNAUTHENTICATED, "INVALID_TOKEN", "deleted account");
    }

    /** Call credentials with an arbitrary authorization header. */
    private static CallCredentials scheme(String authorization) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
                applier.apply(headers);
            }
        };
    }
}
